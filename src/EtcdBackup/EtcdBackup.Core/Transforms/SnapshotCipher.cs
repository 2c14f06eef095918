using System.Buffers.Binary;
using System.Security.Cryptography;

namespace EtcdBackup.Core.Transforms;

/// <summary>
/// The encrypted object format: AES-256-GCM over fixed-size chunks, so a snapshot of any size is encrypted and
/// decrypted as it streams, and every chunk is authenticated before a byte of it is used.
/// <code>
/// header  = "EBENC1\0\0" | nonce prefix (8 random bytes) | chunk size (u32, big-endian)        20 bytes
/// chunk i = AES-GCM(key, nonce = prefix | i (u32 BE), aad = header | final flag) = ciphertext | 16-byte tag
/// </code>
/// Every chunk but the last holds exactly <c>chunk size</c> bytes; the last (possibly empty) is sealed with the final
/// flag, so cutting the object at a chunk boundary, reordering or dropping chunks all fail authentication.
/// </summary>
public static class SnapshotCipher
{
    public const int KeyLength = 32;
    public const int TagLength = 16;
    public const int HeaderLength = 20;
    public const int DefaultChunkSize = 64 * 1024;
    private static ReadOnlySpan<byte> Magic => "EBENC1\0\0"u8;

    /// <summary>A short public id of a key (not the key): lets restore say "wrong key" before trying.</summary>
    public static string KeyId(ReadOnlySpan<byte> key) => Convert.ToHexStringLower(SHA256.HashData(key)[..8]);

    /// <summary>Reads a key file's content: 32 raw bytes, or 64 hex digits, or base64 of 32 bytes (whitespace ignored).</summary>
    public static bool TryReadKey(ReadOnlySpan<byte> content, out byte[] key, out string error)
    {
        key = [];
        error = "";
        if (content.Length == KeyLength)
        {
            key = content.ToArray();
            return true;
        }

        var text = System.Text.Encoding.ASCII.GetString(content).Trim();
        try
        {
            key = text.Length == 2 * KeyLength ? Convert.FromHexString(text) : Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            key = [];
        }

        if (key.Length != KeyLength)
        {
            key = [];
            error = "the key must be 32 bytes: raw, 64 hex digits or base64";
            return false;
        }

        return true;
    }

    internal static byte[] NewHeader(int chunkSize)
    {
        var header = new byte[HeaderLength];
        Magic.CopyTo(header);
        RandomNumberGenerator.Fill(header.AsSpan(8, 8));
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(16), (uint)chunkSize);
        return header;
    }

    internal static bool TryReadHeader(ReadOnlySpan<byte> header, out int chunkSize)
    {
        chunkSize = 0;
        if (header.Length < HeaderLength || !header[..8].SequenceEqual(Magic))
        {
            return false;
        }

        var size = BinaryPrimitives.ReadUInt32BigEndian(header[16..]);
        if (size is < 1024 or > 16 * 1024 * 1024)
        {
            return false;
        }

        chunkSize = (int)size;
        return true;
    }

    internal static void Nonce(ReadOnlySpan<byte> header, uint index, Span<byte> nonce)
    {
        header.Slice(8, 8).CopyTo(nonce);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[8..], index);
    }

    internal static void Aad(ReadOnlySpan<byte> header, bool final, Span<byte> aad)
    {
        header[..HeaderLength].CopyTo(aad);
        aad[HeaderLength] = final ? (byte)1 : (byte)0;
    }
}
