using EtcdBackup.Core.Retention;
using static EtcdBackup.Core.Tests.Retention.Snapshots;

namespace EtcdBackup.Core.Tests.Retention;

public class RetentionPlannerTests
{
    private static readonly DateTimeOffset Now = At("2026-11-25T12:00:00Z");

    private static RetentionPolicy Policy(int last = 1, int hourly = 0, int daily = 0, int weekly = 0, int monthly = 0, TimeSpan grace = default) =>
        new(last, hourly, daily, weekly, monthly, grace);

    private static Dictionary<string, (Decision, string)> Plan(TargetListing listing, RetentionPolicy policy) =>
        RetentionPlanner.Plan(listing, Now, policy).Items.ToDictionary(i => i.Snapshot.Name, i => (i.Decision, i.Reason));

    [Fact]
    public void Keeps_the_last_n_and_deletes_the_rest_with_reasons()
    {
        var snaps = Enumerable.Range(0, 5).Select(i => Complete(Now.AddHours(-i))).ToArray();
        var plan = Plan(Listing(snaps), Policy(last: 3));

        Assert.Equal((Decision.Keep, "newest verified snapshot; last 3 (1 of 3)"), plan[snaps[0].Name]);
        Assert.Equal((Decision.Keep, "last 3 (3 of 3)"), plan[snaps[2].Name]);
        Assert.Equal(Decision.Delete, plan[snaps[3].Name].Item1);
        Assert.StartsWith("beyond retention (last 3, 0 hourly", plan[snaps[4].Name].Item2, StringComparison.Ordinal);
    }

    [Fact]
    public void Daily_keeps_the_newest_snapshot_of_each_recent_day()
    {
        // Four snapshots a day for five days.
        var snaps = Enumerable.Range(0, 20).Select(i => Complete(Now.AddHours(-6 * i))).ToArray();
        var plan = Plan(Listing(snaps), Policy(last: 1, daily: 3));

        var kept = plan.Where(p => p.Value.Item1 == Decision.Keep).Select(p => p.Key).Order().ToList();
        Assert.Equal(3, kept.Count);
        Assert.Equal((Decision.Keep, "newest verified snapshot; last 1 (1 of 1); daily 2026-11-25"), plan[snaps[0].Name]);
        Assert.Equal(Decision.Delete, plan[snaps[2].Name].Item1); // 2026-11-25T00:00: same day as the newest
        Assert.Equal((Decision.Keep, "daily 2026-11-24"), plan[snaps[3].Name]); // 2026-11-24T18:00, the newest of that day
        Assert.Equal(Decision.Delete, plan[snaps[4].Name].Item1);
        Assert.Equal((Decision.Keep, "daily 2026-11-23"), plan[snaps[7].Name]);
    }

    [Fact]
    public void Weekly_and_monthly_buckets_use_iso_weeks_and_calendar_months()
    {
        var snaps = new[]
        {
            Complete(At("2026-11-25T00:00:00Z")), // Wednesday, ISO week 48
            Complete(At("2026-11-23T00:00:00Z")), // Monday, week 48
            Complete(At("2026-11-22T00:00:00Z")), // Sunday, week 47
            Complete(At("2026-10-31T00:00:00Z")), // October
            Complete(At("2026-10-01T00:00:00Z")),
        };
        var plan = Plan(Listing(snaps), Policy(last: 1, weekly: 2, monthly: 2));

        Assert.Contains("weekly 2026-W48", plan[snaps[0].Name].Item2, StringComparison.Ordinal);
        Assert.Equal(Decision.Delete, plan[snaps[1].Name].Item1);
        Assert.Equal((Decision.Keep, "weekly 2026-W47"), plan[snaps[2].Name]);
        Assert.Equal((Decision.Keep, "monthly 2026-10"), plan[snaps[3].Name]);
        Assert.Equal(Decision.Delete, plan[snaps[4].Name].Item1);
    }

    [Fact]
    public void Incomplete_and_damaged_leftovers_are_deleted_and_never_counted()
    {
        var good = Complete(Now.AddHours(-2));
        var newerIncomplete = Make(Now.AddHours(-1), SnapshotState.Incomplete);
        var damaged = Make(Now.AddHours(-3), SnapshotState.Damaged);
        var plan = Plan(Listing(good, newerIncomplete, damaged), Policy(last: 1));

        Assert.Equal(Decision.Keep, plan[good.Name].Item1);
        Assert.Equal((Decision.Delete, "incomplete: no manifest"), plan[newerIncomplete.Name]);
        Assert.Equal(Decision.Delete, plan[damaged.Name].Item1);
    }

    [Fact]
    public void Leftovers_younger_than_the_grace_are_kept()
    {
        var young = Make(Now.AddMinutes(-5), SnapshotState.Incomplete);
        var old = Make(Now.AddHours(-2), SnapshotState.Incomplete);
        var plan = Plan(Listing(young, old), Policy(grace: TimeSpan.FromHours(1)));

        Assert.Equal(Decision.Keep, plan[young.Name].Item1);
        Assert.Equal(Decision.Delete, plan[old.Name].Item1);
    }

    [Fact]
    public void A_failed_listing_deletes_nothing()
    {
        var plan = RetentionPlanner.Plan(TargetListing.Failed("s3://b/p", "s3_unreachable"), Now, Policy());

        Assert.Empty(plan.Deletions);
        Assert.Contains("nothing is deleted", plan.Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void The_newest_verified_snapshot_is_kept_even_when_older_than_everything_else()
    {
        var old = Complete(Now.AddDays(-400));
        var plan = Plan(Listing(old, Make(Now, SnapshotState.Incomplete)), Policy(last: 1));

        Assert.Equal(Decision.Keep, plan[old.Name].Item1);
    }

    [Fact]
    public void Rejects_a_policy_with_bad_counts_naming_each_field()
    {
        var errors = new RetentionPolicy(0, -1, 0, 0, 200_000, TimeSpan.FromSeconds(-1)).Validate();

        Assert.Equal(4, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("retention.keepLast:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("retention.hourly:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("retention.monthly:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("retention.incompleteGrace:", StringComparison.Ordinal));
    }
}
