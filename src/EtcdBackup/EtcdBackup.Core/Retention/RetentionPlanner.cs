using System.Globalization;

namespace EtcdBackup.Core.Retention;

public enum Decision
{
    Keep,
    Delete,
}

public sealed record PlanItem(StoredSnapshot Snapshot, Decision Decision, string Reason);

/// <summary>The plan for one target. <see cref="Refusal"/> is set when nothing may be deleted at all.</summary>
public sealed record RetentionPlan(string Target, IReadOnlyList<PlanItem> Items, string? Refusal)
{
    public IEnumerable<PlanItem> Deletions => Items.Where(i => i.Decision == Decision.Delete);
}

/// <summary>
/// The retention planner: <c>(listing, now, policy) → keep/delete with a reason for each</c>. Pure: the host lists,
/// this decides, the host deletes. One target at a time, so one target's state can never cause a deletion in another.
/// </summary>
public static class RetentionPlanner
{
    public static RetentionPlan Plan(TargetListing listing, DateTimeOffset now, RetentionPolicy policy)
    {
        if (listing.Failure is not null)
        {
            return new RetentionPlan(listing.Target,
                listing.Snapshots.Select(s => new PlanItem(s, Decision.Keep, "kept: the listing failed")).ToList(),
                $"listing failed ({listing.Failure}): nothing is deleted");
        }

        var reasons = new Dictionary<StoredSnapshot, List<string>>();
        var complete = listing.Snapshots
            .Where(s => s.State == SnapshotState.Complete)
            .OrderByDescending(s => s.Time).ThenByDescending(s => s.Name, StringComparer.Ordinal)
            .ToList();
        for (var i = 0; i < complete.Count; i++)
        {
            var why = reasons[complete[i]] = [];
            if (i == 0)
            {
                why.Add("newest verified snapshot");
            }

            if (i < policy.KeepLast)
            {
                why.Add($"last {policy.KeepLast} ({i + 1} of {policy.KeepLast})");
            }
        }

        Bucket(complete, reasons, policy.Hourly, "hourly", t => t.ToString("yyyy-MM-dd'T'HH", CultureInfo.InvariantCulture));
        Bucket(complete, reasons, policy.Daily, "daily", t => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Bucket(complete, reasons, policy.Weekly, "weekly",
            t => FormattableString.Invariant($"{ISOWeek.GetYear(t.DateTime)}-W{ISOWeek.GetWeekOfYear(t.DateTime):D2}"));
        Bucket(complete, reasons, policy.Monthly, "monthly", t => t.ToString("yyyy-MM", CultureInfo.InvariantCulture));

        var items = new List<PlanItem>(listing.Snapshots.Count);
        foreach (var s in listing.Snapshots.OrderByDescending(s => s.Time).ThenByDescending(s => s.Name, StringComparer.Ordinal))
        {
            items.Add(s.State switch
            {
                SnapshotState.Complete when reasons[s].Count > 0 => new PlanItem(s, Decision.Keep, string.Join("; ", reasons[s])),
                SnapshotState.Complete => new PlanItem(s, Decision.Delete, $"beyond retention ({policy})"),
                _ when now - s.Time < policy.IncompleteGrace =>
                    new PlanItem(s, Decision.Keep, $"{Describe(s)}, younger than the grace of {policy.IncompleteGrace}"),
                _ => new PlanItem(s, Decision.Delete, Describe(s)),
            });
        }

        return new RetentionPlan(listing.Target, items, null);
    }

    private static string Describe(StoredSnapshot s) =>
        (s.State == SnapshotState.Incomplete ? "incomplete" : "damaged") + (s.Problem.Length > 0 ? $": {s.Problem}" : "");

    /// <summary>Keeps the newest snapshot of each of the <paramref name="count"/> most recent buckets that have one.</summary>
    private static void Bucket(List<StoredSnapshot> newestFirst, Dictionary<StoredSnapshot, List<string>> reasons, int count,
        string label, Func<DateTimeOffset, string> key)
    {
        if (count == 0)
        {
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in newestFirst)
        {
            var bucket = key(s.Time.ToUniversalTime());
            if (seen.Add(bucket))
            {
                if (seen.Count > count)
                {
                    return;
                }

                reasons[s].Add($"{label} {bucket}");
            }
        }
    }
}
