using EtcdBackup.Core.Deltas;
using EtcdBackup.Core.Manifests;
using EtcdBackup.Core.Naming;
using EtcdBackup.Core.Retention;
using EtcdBackup.Targets;

namespace EtcdBackup.Snapshots;

/// <summary>Lists a target into snapshots. Any error (listing or reading a manifest) makes the whole listing failed.</summary>
internal static class TargetCatalog
{
    public static async Task<TargetListing> ListAsync(ITarget target, string prefix, CancellationToken ct) =>
        (await ListWithDeltasAsync(target, prefix, ct).ConfigureAwait(false)).Listing;

    /// <summary>The full snapshots and the deltas of a target, from one listing (no deltas when it failed).</summary>
    public static async Task<(TargetListing Listing, IReadOnlyList<StoredDelta> Deltas)> ListWithDeltasAsync(ITarget target, string prefix,
        CancellationToken ct)
    {
        try
        {
            var files = await target.ListAsync(ct).ConfigureAwait(false);
            var manifests = new Dictionary<string, (SnapshotManifest?, string)>(StringComparer.Ordinal);
            var deltaManifests = new Dictionary<string, (DeltaManifest?, string)>(StringComparer.Ordinal);
            foreach (var file in files)
            {
                var isFull = SnapshotName.Classify(file.Name, prefix).Kind == FileKind.Manifest;
                if (!isFull && DeltaName.Classify(file.Name, prefix).Kind != FileKind.Manifest)
                {
                    continue;
                }

                var bytes = await target.ReadSmallAsync(file.Name, ct).ConfigureAwait(false);
                if (isFull)
                {
                    manifests[file.Name] = SnapshotManifest.TryParse(bytes, out var manifest, out var error) ? (manifest, "") : (null, error);
                }
                else
                {
                    deltaManifests[file.Name] = DeltaManifest.TryParse(bytes, out var delta, out var error) ? (delta, "") : (null, error);
                }
            }

            return (new TargetListing(target.Name, SnapshotCatalog.Build(prefix, files, manifests), null),
                DeltaCatalog.Build(prefix, files, deltaManifests));
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return (TargetListing.Failed(target.Name, $"{FailureReason.Of(e)}: {e.Message}"), []);
        }
    }

    public static async Task<IReadOnlyList<(ITarget Target, TargetListing Listing)>> ListAllAsync(IReadOnlyList<ITarget> targets,
        string prefix, CancellationToken ct)
    {
        var result = new List<(ITarget, TargetListing)>();
        foreach (var target in targets)
        {
            result.Add((target, await ListAsync(target, prefix, ct).ConfigureAwait(false)));
        }

        return result;
    }

    /// <summary>
    /// Finds a snapshot by name (or <c>latest</c>: the newest complete one anywhere); a complete copy wins over a
    /// damaged one, and earlier targets (local first) win ties. Targets that could not be listed go to <paramref name="problems"/>.
    /// </summary>
    public static (ITarget Target, StoredSnapshot Snapshot)? Find(IEnumerable<(ITarget Target, TargetListing Listing)> listings, string id,
        List<string> problems)
    {
        (ITarget Target, StoredSnapshot Snapshot)? best = null;
        foreach (var (target, listing) in listings)
        {
            if (listing.Failure is not null)
            {
                problems.Add($"{target.Name}: {listing.Failure}");
                continue;
            }

            foreach (var s in listing.Snapshots)
            {
                var better = id == "latest"
                    ? s.State == SnapshotState.Complete && (best is null || s.Time > best.Value.Snapshot.Time)
                    : s.Name == id && (best is null || (best.Value.Snapshot.State != SnapshotState.Complete && s.State == SnapshotState.Complete));
                if (better)
                {
                    best = (target, s);
                }
            }
        }

        return best;
    }

    public static async Task<(ITarget Target, StoredSnapshot Snapshot)?> FindAsync(IReadOnlyList<ITarget> targets, string prefix,
        string id, List<string> problems, CancellationToken ct) =>
        Find(await ListAllAsync(targets, prefix, ct).ConfigureAwait(false), id, problems);
}
