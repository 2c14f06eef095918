using EtcdBackup.Core.Manifests;
using EtcdBackup.Core.Retention;

namespace EtcdBackup.Core.Deltas;

/// <summary>
/// A complete full snapshot and the deltas that extend it. <see cref="Usable"/> is the gapless run from the base:
/// the first starts at the base's revision + 1, each next one where the previous ended. <see cref="Gap"/> says why the
/// run stops early (a missing, damaged or overlapping delta); deltas after it are never replayed.
/// </summary>
public sealed record DeltaChain(StoredSnapshot Base, IReadOnlyList<StoredDelta> Deltas, IReadOnlyList<DeltaManifest> Usable, string? Gap)
{
    public SnapshotManifest BaseManifest => Base.Manifest!;

    /// <summary>The newest revision this chain restores to exactly.</summary>
    public long Reach => Usable.Count > 0 ? Usable[^1].ToRevision : BaseManifest.RevisionAfter;

    /// <summary>Where the chain's next delta must start.</summary>
    public long Next => Usable.Count > 0 ? Usable[^1].ToRevision + 1 : BaseManifest.Revision + 1;

    /// <summary>Until when the chain is known: the newest usable delta's cut, or the end of the base snapshot.</summary>
    public DateTimeOffset Covered => Usable.Count > 0 ? Usable[^1].Time : BaseManifest.Time + BaseManifest.Duration;

    public DateTimeOffset BaseDone => BaseManifest.Time + BaseManifest.Duration;

    /// <summary>A chain per complete full snapshot, oldest first. Deltas whose base is not among them are left out.</summary>
    public static IReadOnlyList<DeltaChain> Build(IEnumerable<StoredSnapshot> snapshots, IReadOnlyList<StoredDelta> deltas)
    {
        var chains = new List<DeltaChain>();
        foreach (var full in snapshots.Where(s => s.State == SnapshotState.Complete && s.Manifest is not null).OrderBy(s => s.Manifest!.Revision))
        {
            var own = deltas.Where(d => BaseOf(d) == full.Name).OrderBy(d => d.Manifest?.FromRevision ?? long.MaxValue).ToList();
            var usable = new List<DeltaManifest>();
            string? gap = null;
            var expected = full.Manifest!.Revision + 1;
            foreach (var d in own)
            {
                if (d is not { State: SnapshotState.Complete, Manifest: { } m })
                {
                    gap = $"delta {d.Name} is {d.State.ToString().ToLowerInvariant()}: {d.Problem}";
                    break;
                }

                if (m.FromRevision != expected || m.BaseRevision != full.Manifest.Revision)
                {
                    gap = m.FromRevision > expected
                        ? $"revisions {expected}..{m.FromRevision - 1} are missing (delta {d.Name} starts at {m.FromRevision})"
                        : $"delta {d.Name} starts at {m.FromRevision}, overlapping the previous one (expected {expected})";
                    break;
                }

                usable.Add(m);
                expected = m.ToRevision + 1;
            }

            chains.Add(new DeltaChain(full, own, usable, gap));
        }

        return chains;
    }

    /// <summary>The base a delta names (an incomplete one names none and is only grouped by time elsewhere).</summary>
    public static string? BaseOf(StoredDelta delta) => delta.Manifest?.Base;

    /// <summary>
    /// Where <c>run</c> may carry on after a restart: the newest chain, when every target's newest chain has the same
    /// base and ends at the same revision without a gap; else null (a new full snapshot starts a new chain).
    /// </summary>
    public static DeltaChain? ResumeFrom(IReadOnlyList<IReadOnlyList<DeltaChain>> perTarget)
    {
        DeltaChain? common = null;
        foreach (var chains in perTarget)
        {
            if (chains.Count == 0 || chains[^1] is not { Gap: null } newest)
            {
                return null;
            }

            if (common is not null && (common.Base.Name != newest.Base.Name || common.Next != newest.Next))
            {
                return null;
            }

            common = newest;
        }

        return common;
    }
}
