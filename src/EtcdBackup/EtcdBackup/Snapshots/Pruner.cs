using EtcdBackup.Core.Naming;
using EtcdBackup.Core.Retention;
using EtcdBackup.Targets;

namespace EtcdBackup.Snapshots;

/// <summary>What pruning one target did.</summary>
internal sealed record PruneResult(ITarget Target, RetentionPlan Plan, int Deleted, IReadOnlyList<string> Errors);

/// <summary>
/// Lists each target, asks the pure planner what to keep, prints the plan with its reasons, then deletes (unless a
/// dry run). A complete snapshot loses its manifest first, so an interrupted delete leaves an incomplete snapshot
/// (pruned next time), never a manifest that promises a missing object. Deltas follow their base
/// (<see cref="DeltaRetention"/>) and are deleted before it.
/// </summary>
internal static class Pruner
{
    public static async Task<IReadOnlyList<PruneResult>> RunAsync(IReadOnlyList<ITarget> targets, string prefix, RetentionPolicy policy,
        DateTimeOffset now, bool dryRun, TextWriter output, CancellationToken ct)
    {
        var results = new List<PruneResult>();
        foreach (var target in targets)
        {
            var (listing, deltas) = await TargetCatalog.ListWithDeltasAsync(target, prefix, ct).ConfigureAwait(false);
            var plan = RetentionPlanner.Plan(listing, now, policy);
            var deltaPlan = DeltaRetention.Plan(plan, deltas, now, policy);
            await output.WriteLineAsync($"{target.Name}: {(plan.Refusal ?? $"retention {policy}")}").ConfigureAwait(false);
            foreach (var item in plan.Items)
            {
                var verb = item.Decision == Decision.Keep ? "keep  " : dryRun ? "would delete" : "delete";
                await output.WriteLineAsync($"  {verb} {item.Snapshot.Name}  {item.Reason}").ConfigureAwait(false);
            }

            foreach (var group in deltaPlan.GroupBy(d => (d.Decision, d.Reason)))
            {
                var verb = group.Key.Decision == Decision.Keep ? "keep  " : dryRun ? "would delete" : "delete";
                await output.WriteLineAsync($"  {verb} {group.Count()} delta(s)  {group.Key.Reason}").ConfigureAwait(false);
            }

            var errors = new List<string>();
            var deleted = 0;
            if (!dryRun)
            {
                // Deltas go before their base: an interrupted or failed delete never leaves a delta without its base.
                var stillHasDeltas = new HashSet<string>(StringComparer.Ordinal);
                foreach (var item in deltaPlan.Where(d => d.Decision == Decision.Delete))
                {
                    try
                    {
                        await DeleteAsync(target, item.Delta.Files, ct).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        errors.Add($"{target.Name}: cannot delete delta {item.Delta.Name}: {FailureReason.Of(e)}: {e.Message}");
                        stillHasDeltas.Add(item.Delta.Manifest?.Base ?? "");
                    }
                }

                foreach (var item in plan.Deletions.Where(i => !stillHasDeltas.Contains(i.Snapshot.Name)))
                {
                    try
                    {
                        await DeleteAsync(target, item.Snapshot.Files, ct).ConfigureAwait(false);

                        deleted++;
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        errors.Add($"{target.Name}: cannot delete {item.Snapshot.Name}: {FailureReason.Of(e)}: {e.Message}");
                    }
                }
            }

            if (plan.Refusal is null)
            {
                try
                {
                    foreach (var line in await target.CleanHiddenLeftoversAsync(dryRun, ct).ConfigureAwait(false))
                    {
                        await output.WriteLineAsync($"  {line}").ConfigureAwait(false);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    errors.Add($"{target.Name}: cannot clean unfinished uploads: {e.Message}");
                }
            }
            else
            {
                errors.Add($"{target.Name}: {plan.Refusal}");
            }

            foreach (var error in errors)
            {
                await output.WriteLineAsync($"  error: {error}").ConfigureAwait(false);
            }

            results.Add(new PruneResult(target, plan, deleted, errors));
        }

        return results;
    }

    /// <summary>Deletes a snapshot's or delta's files, the manifest first.</summary>
    private static async Task DeleteAsync(ITarget target, IEnumerable<string> files, CancellationToken ct)
    {
        foreach (var file in files.OrderBy(f => f.EndsWith(SnapshotName.ManifestSuffix, StringComparison.Ordinal) ? 0 : 1))
        {
            await target.DeleteAsync(file, ct).ConfigureAwait(false);
        }
    }
}
