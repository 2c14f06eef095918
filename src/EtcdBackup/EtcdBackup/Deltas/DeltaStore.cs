using EtcdBackup.Core.Deltas;
using EtcdBackup.Core.Naming;
using EtcdBackup.Core.Transforms;
using EtcdBackup.Snapshots;
using EtcdBackup.Targets;

namespace EtcdBackup.Deltas;

/// <summary>Writes deltas into targets (object, then the manifest last) and reads them back checked.</summary>
internal sealed class DeltaStore(string prefix, string compression, byte[]? key)
{
    /// <summary>
    /// Stores one delta of the chain on <paramref name="baseName"/> in <paramref name="into"/>; returns it and the targets that failed, with why
    /// (<paramref name="ct"/> is a time bound: a target still writing when it fires has failed).
    /// </summary>
    public async Task<(DeltaManifest Manifest, IReadOnlyDictionary<ITarget, Exception> Failed)> WriteAsync(IReadOnlyList<ITarget> into,
        string baseName, long baseRevision, long from, IReadOnlyList<DeltaRevision> revisions, DateTimeOffset now, CancellationToken ct)
    {
        var name = DeltaName.Create(prefix, now);
        var encryption = key is null ? Encryptions.None : Encryptions.AesGcm;
        var objectFile = DeltaName.ObjectFile(name, compression, encryption);
        var stored = await DeltaObjects.EncodeAsync(DeltaCodec.Encode(revisions), compression, key, ct).ConfigureAwait(false);
        var manifest = new DeltaManifest(DeltaManifest.CurrentFormat, DeltaManifest.DeltaKind, name, objectFile, baseName, baseRevision,
            from, revisions[^1].Revision, revisions.Count, revisions.Sum(r => (long)r.Changes.Count), revisions[0].Time, revisions[^1].Time, now,
            stored.Length, DeltaObjects.Sha256(stored), compression, encryption, key is null ? null : SnapshotCipher.KeyId(key));
        var failed = new Dictionary<ITarget, Exception>();
        foreach (var target in into)
        {
            ITargetWriter? writer = null;
            try
            {
                writer = await target.CreateAsync(objectFile, ct).ConfigureAwait(false);
                await writer.WriteAsync(stored, ct).ConfigureAwait(false);
                await writer.CompleteAsync(ct).ConfigureAwait(false);
                await writer.DisposeAsync().ConfigureAwait(false);
                writer = null;
                await target.WriteSmallAsync(SnapshotName.ManifestFile(name), manifest.ToJson(), ct).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // A cancelled token is the caller's time bound: this target did not store the delta in time.
                failed[target] = e;
                if (writer is not null)
                {
                    await writer.AbortAsync().ConfigureAwait(false);
                    await writer.DisposeAsync().ConfigureAwait(false);
                }
            }
        }

        return (manifest, failed);
    }

    /// <summary>Reads a delta back and checks it (size, SHA-256, decoding, revisions and counts against the manifest).</summary>
    public async Task<(IReadOnlyList<DeltaRevision> Revisions, IReadOnlyList<string> Problems)> ReadAsync(ITarget target, DeltaManifest manifest,
        CancellationToken ct)
    {
        byte[] stored;
        try
        {
            await using var stream = await target.OpenReadAsync(manifest.Object, ct).ConfigureAwait(false);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, ct).ConfigureAwait(false);
            stored = copy.ToArray();
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return ([], [$"cannot read {manifest.Object} from {target.Name}: {FailureReason.Of(e)}: {e.Message}"]);
        }

        return await DeltaObjects.DecodeAsync(stored, manifest, key, ct).ConfigureAwait(false);
    }
}
