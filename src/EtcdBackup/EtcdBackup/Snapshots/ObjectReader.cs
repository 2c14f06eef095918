using System.Security.Cryptography;
using EtcdBackup.Core.Integrity;
using EtcdBackup.Core.Manifests;
using EtcdBackup.Core.Naming;
using EtcdBackup.Core.Transforms;
using EtcdBackup.Targets;
using ZstdSharp;

namespace EtcdBackup.Snapshots;

/// <summary>
/// Reads a stored snapshot back in one pass: our SHA-256 and size of the stored bytes against the manifest, then
/// decryption (every chunk authenticated) and decompression, then etcd's own SHA-256 tail against the database.
/// The decoded etcd snapshot can be written to a file as it passes (restore and deep verification use that).
/// </summary>
internal static class ObjectReader
{
    public static async Task<IReadOnlyList<string>> CheckAsync(ITarget target, SnapshotManifest manifest, byte[]? key,
        Stream? output, CancellationToken ct)
    {
        var problems = new List<string>();
        if (manifest.Encryption == Encryptions.AesGcm)
        {
            if (key is null)
            {
                return [$"{manifest.Name} is encrypted (key {manifest.KeyId}); give --encryption-key-file"];
            }

            if (SnapshotCipher.KeyId(key) != manifest.KeyId)
            {
                return [$"{manifest.Name} was encrypted with key {manifest.KeyId}, the key given is {SnapshotCipher.KeyId(key)}"];
            }
        }

        await using var raw = await target.OpenReadAsync(manifest.Object, ct).ConfigureAwait(false);
        await using var hashing = new HashingReadStream(raw);
        using var tail = new EtcdHashTail();
        var buffer = new byte[256 * 1024];
        Stream decoded = hashing;
        Stream? decrypt = null;
        Stream? decompress = null;
        try
        {
            if (manifest.Encryption == Encryptions.AesGcm)
            {
                decoded = decrypt = new DecryptingStream(decoded, key!);
            }

            if (manifest.Compression == Compressions.Zstd)
            {
                decoded = decompress = new DecompressionStream(decoded, leaveOpen: true);
            }

            int n;
            while ((n = await decoded.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                tail.Append(buffer.AsSpan(0, n));
                if (output is not null)
                {
                    await output.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or ZstdException or IOException)
        {
            problems.Add($"cannot decode {manifest.Object}: {e.Message}");
        }
        finally
        {
            decompress?.Dispose();
            decrypt?.Dispose();
        }

        // Whatever the decoders left unread still counts for the stored object's hash and size.
        while (await hashing.ReadAsync(buffer, ct).ConfigureAwait(false) > 0)
        {
        }

        var (sha, size) = hashing.Finish();
        if (size != manifest.StoredSize)
        {
            problems.Add($"{manifest.Object} is {size} bytes, the manifest says {manifest.StoredSize}");
        }

        if (sha != manifest.Sha256)
        {
            problems.Add($"{manifest.Object} has SHA-256 {sha}, the manifest says {manifest.Sha256}");
        }

        if (problems.Count == 0)
        {
            var (ok, expected, actual) = tail.Finish();
            if (!ok || actual != manifest.EtcdSha256 || tail.DatabaseBytes != manifest.DbSize)
            {
                problems.Add($"etcd's SHA-256 tail does not match the database (tail {expected}, database {actual}, manifest {manifest.EtcdSha256})");
            }
        }

        return problems;
    }

    private sealed class HashingReadStream(Stream inner) : ReadOnlyStream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _count;

        public (string Sha256, long Size) Finish() => (Convert.ToHexStringLower(_hash.GetHashAndReset()), _count);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            _hash.AppendData(buffer.Span[..n]);
            _count += n;
            return n;
        }

        public override int Read(Span<byte> buffer)
        {
            var n = inner.Read(buffer);
            _hash.AppendData(buffer[..n]);
            _count += n;
            return n;
        }


        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();



        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _hash.Dispose();
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
