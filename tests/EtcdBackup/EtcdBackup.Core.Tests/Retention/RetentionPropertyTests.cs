using EtcdBackup.Core.Retention;
using static EtcdBackup.Core.Tests.Retention.Snapshots;

namespace EtcdBackup.Core.Tests.Retention;

/// <summary>Random listings and policies (seeded, so a failure reproduces): the planner's promises hold for all.</summary>
public class RetentionPropertyTests
{
    private static readonly DateTimeOffset Now = At("2026-11-25T12:00:00Z");

    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (var seed = 1; seed <= 300; seed++)
        {
            data.Add(seed);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Planner_promises_hold(int seed)
    {
        var random = new Random(seed);
        var snapshots = Enumerable.Range(0, random.Next(0, 60))
            .Select(_ => Make(Now.AddMinutes(-random.Next(0, 60 * 24 * 120)), random.Next(4) == 0 ? (SnapshotState)random.Next(1, 3) : SnapshotState.Complete))
            .DistinctBy(s => s.Name)
            .ToArray();
        var policy = new RetentionPolicy(random.Next(1, 6), random.Next(0, 30), random.Next(0, 10), random.Next(0, 6), random.Next(0, 4), TimeSpan.Zero);

        var plan = RetentionPlanner.Plan(Listing(snapshots), Now, policy);

        // Every snapshot gets exactly one decision with a reason.
        Assert.Equal(snapshots.Length, plan.Items.Count);
        Assert.All(plan.Items, i => Assert.False(string.IsNullOrEmpty(i.Reason)));

        // The newest complete snapshot is never deleted.
        var complete = snapshots.Where(s => s.State == SnapshotState.Complete).OrderByDescending(s => s.Time).ToList();
        if (complete.Count > 0)
        {
            Assert.Equal(Decision.Keep, plan.Items.Single(i => i.Snapshot == complete[0]).Decision);
        }

        // Counts per bucket hold: no more kept than the policy allows, and at least min(last N, complete).
        var kept = plan.Items.Where(i => i.Decision == Decision.Keep && i.Snapshot.State == SnapshotState.Complete).ToList();
        Assert.True(kept.Count <= policy.KeepLast + policy.Hourly + policy.Daily + policy.Weekly + policy.Monthly);
        Assert.True(kept.Count >= Math.Min(policy.KeepLast, complete.Count));
        Assert.True(kept.Count(k => k.Reason.Contains("daily ", StringComparison.Ordinal)) <= policy.Daily);
        Assert.True(kept.Count(k => k.Reason.Contains("hourly ", StringComparison.Ordinal)) <= policy.Hourly);

        // Leftovers never survive with a zero grace; complete ones are only deleted as beyond retention.
        Assert.All(plan.Items.Where(i => i.Snapshot.State != SnapshotState.Complete), i => Assert.Equal(Decision.Delete, i.Decision));

        // Stable: planning again over what was kept deletes nothing more.
        var again = RetentionPlanner.Plan(Listing([.. kept.Select(k => k.Snapshot)]), Now, policy);
        Assert.Empty(again.Deletions);
    }
}
