using EtcdBackup.Core.Manifests;
using EtcdBackup.Core.Naming;
using EtcdBackup.Core.Retention;
using EtcdBackup.Targets;

namespace EtcdBackup.Snapshots;

/// <summary>Lists a target into snapshots. Any error (listing or reading a manifest) makes the whole listing failed.</summary>
internal static class TargetCatalog
{
    public static async Task<TargetListing> ListAsync(ITarget target, string prefix, CancellationToken ct)
    {
        try
        {
            var files = await target.ListAsync(ct).ConfigureAwait(false);
            var manifests = new Dictionary<string, (SnapshotManifest?, string)>(StringComparer.Ordinal);
            foreach (var file in files)
            {
                if (SnapshotName.Classify(file.Name, prefix).Kind != FileKind.Manifest)
                {
                    continue;
                }

                var bytes = await target.ReadSmallAsync(file.Name, ct).ConfigureAwait(false);
                manifests[file.Name] = SnapshotManifest.TryParse(bytes, out var manifest, out var error) ? (manifest, "") : (null, error);
            }

            return new TargetListing(target.Name, SnapshotCatalog.Build(prefix, files, manifests), null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return TargetListing.Failed(target.Name, $"{FailureReason.Of(e)}: {e.Message}");
        }
    }

    /// <summary>Finds a snapshot by name (or <c>latest</c>: the newest complete one anywhere); a complete copy
    /// wins over a damaged one, and local targets come first.</summary>
    public static async Task<(ITarget Target, StoredSnapshot Snapshot)?> FindAsync(IReadOnlyList<ITarget> targets, string prefix,
        string id, List<string> problems, CancellationToken ct)
    {
        (ITarget, StoredSnapshot)? best = null;
        foreach (var target in targets)
        {
            var listing = await ListAsync(target, prefix, ct).ConfigureAwait(false);
            if (listing.Failure is not null)
            {
                problems.Add($"{target.Name}: {listing.Failure}");
                continue;
            }

            foreach (var s in listing.Snapshots)
            {
                var better = id == "latest"
                    ? s.State == SnapshotState.Complete && (best is null || s.Time > best.Value.Item2.Time)
                    : s.Name == id && (best is null || (best.Value.Item2.State != SnapshotState.Complete && s.State == SnapshotState.Complete));
                if (better)
                {
                    best = (target, s);
                }
            }
        }

        return best;
    }
}
