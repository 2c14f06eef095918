using System.Text;
using EtcdBackup.Core.Transforms;

namespace EtcdBackup.Core.Tests.Transforms;

public class SnapshotCipherTests
{
    private const int Chunk = 1024;
    private static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    private static byte[] Encrypt(byte[] plain, byte[] key, int writeSize = 100)
    {
        using var output = new MemoryStream();
        using (var encrypt = new EncryptingStream(output, key, Chunk))
        {
            for (var offset = 0; offset < plain.Length; offset += writeSize)
            {
                encrypt.WriteAsync(plain.AsMemory(offset, Math.Min(writeSize, plain.Length - offset))).AsTask().GetAwaiter().GetResult();
            }

            encrypt.FinishAsync().GetAwaiter().GetResult();
        }

        return output.ToArray();
    }

    private static byte[] Decrypt(byte[] sealedBytes, byte[] key)
    {
        using var decrypt = new DecryptingStream(new MemoryStream(sealedBytes), key);
        using var output = new MemoryStream();
        decrypt.CopyTo(output, 77);
        return output.ToArray();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(Chunk - 1)]
    [InlineData(Chunk)]
    [InlineData(Chunk + 1)]
    [InlineData(5 * Chunk)]
    [InlineData(5 * Chunk + 333)]
    public void Round_trips_every_size_around_chunk_boundaries(int size)
    {
        var plain = new byte[size];
        new Random(size).NextBytes(plain);

        var sealedBytes = Encrypt(plain, Key);

        // Full chunks, the last of them sealed as final; an empty stream is one empty final chunk.
        var chunks = Math.Max(1, (size + Chunk - 1) / Chunk);
        Assert.Equal(SnapshotCipher.HeaderLength + chunks * SnapshotCipher.TagLength + size, sealedBytes.Length);
        Assert.Equal(plain, Decrypt(sealedBytes, Key));
    }

    [Fact]
    public void Two_encryptions_of_the_same_bytes_differ()
    {
        var plain = new byte[3000];
        Assert.NotEqual(Encrypt(plain, Key), Encrypt(plain, Key));
    }

    [Fact]
    public void Rejects_a_wrong_key()
    {
        var sealedBytes = Encrypt(new byte[3000], Key);
        var other = (byte[])Key.Clone();
        other[0] ^= 1;

        var e = Assert.Throws<InvalidDataException>(() => Decrypt(sealedBytes, other));
        Assert.Contains("failed authentication", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_any_flipped_byte()
    {
        var sealedBytes = Encrypt(new byte[2500], Key);
        for (var i = 0; i < sealedBytes.Length; i += 97)
        {
            var copy = (byte[])sealedBytes.Clone();
            copy[i] ^= 0x40;
            Assert.Throws<InvalidDataException>(() => Decrypt(copy, Key));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(SnapshotCipher.TagLength)]
    public void Rejects_an_object_cut_anywhere_including_at_a_chunk_boundary(int cutBack)
    {
        var sealedBytes = Encrypt(new byte[3 * Chunk + 10], Key);
        var atBoundary = SnapshotCipher.HeaderLength + 2 * (Chunk + SnapshotCipher.TagLength);

        Assert.Throws<InvalidDataException>(() => Decrypt(sealedBytes[..^cutBack], Key));
        Assert.Throws<InvalidDataException>(() => Decrypt(sealedBytes[..atBoundary], Key));
    }

    [Fact]
    public void Rejects_a_foreign_header() =>
        Assert.Throws<InvalidDataException>(() => Decrypt(Encoding.ASCII.GetBytes("SQLite format 3\0 and more bytes"), Key));

    [Fact]
    public void Reads_keys_raw_hex_or_base64()
    {
        Assert.True(SnapshotCipher.TryReadKey(Key, out var raw, out _));
        Assert.True(SnapshotCipher.TryReadKey(Encoding.ASCII.GetBytes(Convert.ToHexString(Key) + "\n"), out var hex, out _));
        Assert.True(SnapshotCipher.TryReadKey(Encoding.ASCII.GetBytes(Convert.ToBase64String(Key)), out var b64, out _));
        Assert.Equal(Key, raw);
        Assert.Equal(Key, hex);
        Assert.Equal(Key, b64);

        Assert.False(SnapshotCipher.TryReadKey("too short"u8, out _, out var error));
        Assert.Contains("32 bytes", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Key_ids_are_stable_and_do_not_reveal_the_key()
    {
        var id = SnapshotCipher.KeyId(Key);
        Assert.Equal(16, id.Length);
        Assert.Equal(id, SnapshotCipher.KeyId(Key));
        Assert.DoesNotContain(Convert.ToHexStringLower(Key)[..8], id, StringComparison.Ordinal);
    }
}
