using EtcdBackup.Core.Deltas;

namespace EtcdBackup.Core.Retention;

public sealed record DeltaPlanItem(StoredDelta Delta, Decision Decision, string Reason);

/// <summary>
/// Retention of deltas follows their full snapshot: a delta is kept exactly when its base is kept, and deleted with
/// it, so no chain ever loses its base and no delta outlives it. Deltas without a manifest (being written, or
/// interrupted) are left alone for <see cref="InFlight"/> or the policy's grace, whichever is longer. Pure, like
/// <see cref="RetentionPlanner"/>; the host deletes the deltas before their bases.
/// </summary>
public static class DeltaRetention
{
    /// <summary>The least time an incomplete delta is left alone: one may be in the middle of being written.</summary>
    public static readonly TimeSpan InFlight = TimeSpan.FromMinutes(10);

    public static IReadOnlyList<DeltaPlanItem> Plan(RetentionPlan fulls, IReadOnlyList<StoredDelta> deltas, DateTimeOffset now, RetentionPolicy policy)
    {
        if (fulls.Refusal is not null)
        {
            return deltas.Select(d => new DeltaPlanItem(d, Decision.Keep, "kept: the listing failed")).ToList();
        }

        var bases = fulls.Items.ToDictionary(i => i.Snapshot.Name, StringComparer.Ordinal);
        var grace = policy.IncompleteGrace > InFlight ? policy.IncompleteGrace : InFlight;
        var items = new List<DeltaPlanItem>(deltas.Count);
        foreach (var d in deltas)
        {
            var problem = d.State == SnapshotState.Complete ? "" : $"{d.State.ToString().ToLowerInvariant()} ({d.Problem}), ";
            items.Add(DeltaChain.BaseOf(d) switch
            {
                null when now - d.Time < grace => new DeltaPlanItem(d, Decision.Keep, $"{problem}younger than {grace}"),
                null => new DeltaPlanItem(d, Decision.Delete, $"{problem}no base known"),
                { } b when !bases.TryGetValue(b, out var item) => new DeltaPlanItem(d, Decision.Delete, $"{problem}its base {b} is gone"),
                { } b when bases[b].Decision == Decision.Keep => new DeltaPlanItem(d, Decision.Keep, $"{problem}chain of {b} (kept)"),
                { } b => new DeltaPlanItem(d, Decision.Delete, $"{problem}its base {b} is pruned"),
            });
        }

        return items;
    }
}
