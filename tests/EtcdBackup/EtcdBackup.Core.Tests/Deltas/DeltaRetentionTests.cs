using EtcdBackup.Core.Deltas;
using EtcdBackup.Core.Retention;
using static EtcdBackup.Core.Tests.Deltas.Chains;

namespace EtcdBackup.Core.Tests.Deltas;

public class DeltaRetentionTests
{
    private static readonly RetentionPolicy KeepOne = new(1, 0, 0, 0, 0, TimeSpan.Zero);

    private static Dictionary<string, (Decision Decision, string Reason)> Plan(StoredSnapshot[] fulls, StoredDelta[] deltas, DateTimeOffset now)
    {
        var plan = RetentionPlanner.Plan(new TargetListing("local:/b", fulls, null), now, KeepOne);
        return DeltaRetention.Plan(plan, deltas, now, KeepOne).ToDictionary(i => i.Delta.Name, i => (i.Decision, i.Reason));
    }

    [Fact]
    public void Deltas_go_with_their_base_kept_or_pruned_and_never_outlive_it()
    {
        var now = T0.AddHours(1);
        var plan = Plan([Full("etcd-a", 10, 0), Full("etcd-b", 20, 60)],
            [Delta("a1", "etcd-a", 10, 11, 15, 1, 2), Delta("b1", "etcd-b", 20, 21, 25, 61, 62), Delta("x1", "etcd-gone", 5, 6, 9, 1, 2)], now);

        Assert.Equal((Decision.Delete, "its base etcd-a is pruned"), plan["a1"]);
        Assert.Equal((Decision.Keep, "chain of etcd-b (kept)"), plan["b1"]);
        Assert.Equal((Decision.Delete, "its base etcd-gone is gone"), plan["x1"]);
    }

    [Fact]
    public void A_delta_without_a_manifest_is_left_alone_while_it_may_be_being_written()
    {
        var writing = new StoredDelta("w1", T0, SnapshotState.Incomplete, ["w1.delta.part"], 5, null, "no manifest");
        var fulls = new[] { Full("etcd-a", 10, 0) };

        Assert.Equal(Decision.Keep, Plan(fulls, [writing], T0.AddMinutes(9))["w1"].Decision);
        Assert.Equal(Decision.Delete, Plan(fulls, [writing], T0.AddMinutes(11))["w1"].Decision);
    }

    [Fact]
    public void Nothing_is_deleted_when_the_listing_failed()
    {
        var plan = RetentionPlanner.Plan(TargetListing.Failed("s3://b", "s3_unreachable"), T0, KeepOne);

        Assert.All(DeltaRetention.Plan(plan, [Delta("a1", "etcd-a", 10, 11, 15, 1, 2)], T0, KeepOne), i => Assert.Equal(Decision.Keep, i.Decision));
    }
}
