using System.Security.Cryptography;
using EtcdBackup.Core.Deltas;
using EtcdBackup.Core.Naming;
using EtcdBackup.Core.Transforms;
using ZstdSharp;

namespace EtcdBackup.Deltas;

/// <summary>
/// A delta's bytes as stored: the encoded delta through the same transforms as full snapshots (zstd, then AES-256-GCM
/// in <see cref="SnapshotCipher"/>'s chunked format), and back. A delta is bounded by <c>delta.maxMiB</c> (plus one
/// revision), so it is handled in memory whole.
/// </summary>
internal static class DeltaObjects
{
    public static async Task<byte[]> EncodeAsync(byte[] plain, string compression, byte[]? key, CancellationToken ct)
    {
        using var stored = new MemoryStream();
        Stream top = stored;
        EncryptingStream? encrypt = null;
        if (key is not null)
        {
            top = encrypt = new EncryptingStream(stored, key);
        }

        if (compression == Compressions.Zstd)
        {
            await using var compress = new CompressionStream(top, level: 3, leaveOpen: true);
            await compress.WriteAsync(plain, ct).ConfigureAwait(false);
        }
        else
        {
            await top.WriteAsync(plain, ct).ConfigureAwait(false);
        }

        if (encrypt is not null)
        {
            await encrypt.FinishAsync(ct).ConfigureAwait(false);
            await encrypt.DisposeAsync().ConfigureAwait(false);
        }

        return stored.ToArray();
    }

    public static string Sha256(ReadOnlySpan<byte> stored) => Convert.ToHexStringLower(SHA256.HashData(stored));

    /// <summary>Checks the stored bytes against the manifest and decodes them; problems instead of exceptions.</summary>
    public static async Task<(IReadOnlyList<DeltaRevision> Revisions, IReadOnlyList<string> Problems)> DecodeAsync(byte[] stored,
        DeltaManifest manifest, byte[]? key, CancellationToken ct)
    {
        if (stored.Length != manifest.StoredSize)
        {
            return ([], [$"{manifest.Object} is {stored.Length} bytes, the manifest says {manifest.StoredSize}"]);
        }

        if (Sha256(stored) is var sha && sha != manifest.Sha256)
        {
            return ([], [$"{manifest.Object} has SHA-256 {sha}, the manifest says {manifest.Sha256}"]);
        }

        if (manifest.Encryption == Encryptions.AesGcm && (key is null || SnapshotCipher.KeyId(key) != manifest.KeyId))
        {
            return ([], [$"{manifest.Name} is encrypted with key {manifest.KeyId}; give that key with --encryption-key-file"]);
        }

        byte[] plain;
        try
        {
            Stream decoded = new MemoryStream(stored, writable: false);
            if (manifest.Encryption == Encryptions.AesGcm)
            {
                decoded = new DecryptingStream(decoded, key!);
            }

            if (manifest.Compression == Compressions.Zstd)
            {
                decoded = new DecompressionStream(decoded, leaveOpen: false);
            }

            await using (decoded.ConfigureAwait(false))
            {
                using var plainStream = new MemoryStream();
                await decoded.CopyToAsync(plainStream, ct).ConfigureAwait(false);
                plain = plainStream.ToArray();
            }
        }
        catch (Exception e) when (e is InvalidDataException or ZstdException or IOException)
        {
            return ([], [$"cannot decode {manifest.Object}: {e.Message}"]);
        }

        if (!DeltaCodec.TryDecode(plain, out var revisions, out var error))
        {
            return ([], [$"{manifest.Object}: {error}"]);
        }

        var problems = new List<string>();
        if (revisions.Count != manifest.Revisions || revisions.Sum(r => (long)r.Changes.Count) != manifest.Events)
        {
            problems.Add($"{manifest.Object} holds {revisions.Count} revisions and {revisions.Sum(r => (long)r.Changes.Count)} events, the manifest says {manifest.Revisions} and {manifest.Events}");
        }
        else if (revisions[0].Revision < manifest.FromRevision || revisions[^1].Revision != manifest.ToRevision)
        {
            problems.Add($"{manifest.Object} holds revisions {revisions[0].Revision}..{revisions[^1].Revision}, outside the manifest's {manifest.FromRevision}..{manifest.ToRevision}");
        }

        return (revisions, problems);
    }
}
