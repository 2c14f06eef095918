using EtcdBackup.Core.Deltas;
using static EtcdBackup.Core.Tests.Deltas.Chains;

namespace EtcdBackup.Core.Tests.Deltas;

public class RestorePointTests
{
    // Two chains: etcd-a at revision 10 (deltas 11..15 received at 1-2 s, 16..20 at 5-6 s), etcd-b at 20..22 (deltas 23..30 at 11-12 s).
    private static readonly IReadOnlyList<DeltaChain> Chains2 = DeltaChain.Build(
        [Full("etcd-a", 10, 0), Full("etcd-b", 20, 9, revisionAfter: 22)],
        [
            Delta("a1", "etcd-a", 10, 11, 15, 1, 2), Delta("a2", "etcd-a", 10, 16, 20, 5, 6),
            Delta("b1", "etcd-b", 20, 21, 30, 11, 12),
        ]);

    private static RestorePlan Plan(long? revision, DateTimeOffset? time)
    {
        Assert.True(RestorePoint.TryPlan(Chains2, revision, time, out var plan, out var error), error);
        return plan!;
    }

    private static string Refusal(long? revision, DateTimeOffset? time, IReadOnlyList<DeltaChain>? chains = null)
    {
        Assert.False(RestorePoint.TryPlan(chains ?? Chains2, revision, time, out _, out var error));
        return error;
    }

    [Theory]
    [InlineData(10, "etcd-a", new string[0])]
    [InlineData(14, "etcd-a", new[] { "a1" })]
    [InlineData(16, "etcd-a", new[] { "a1", "a2" })]
    [InlineData(21, "etcd-a", new string[0])] // before etcd-b surely holds no later revision (its revisionAfter is 22): unreachable from etcd-a
    [InlineData(22, "etcd-b", new[] { "b1" })]
    [InlineData(30, "etcd-b", new[] { "b1" })]
    public void By_revision_takes_the_newest_full_snapshot_surely_before_it_and_the_deltas_up_to_it(long revision, string full, string[] deltas)
    {
        if (revision == 21)
        {
            Assert.Contains("--to-revision: revision 21 is after the newest delta of etcd-a (it reaches revision 20", Refusal(21, null), StringComparison.Ordinal);
            return;
        }

        var plan = Plan(revision, null);
        Assert.Equal(full, plan.Chain.Base.Name);
        Assert.Equal(deltas, plan.Deltas.Select(d => d.Name));
        Assert.Equal(revision, plan.Revision);
    }

    [Fact]
    public void By_time_the_revision_is_the_newest_received_at_or_before_it()
    {
        var plan = Plan(null, T0.AddSeconds(5.5));
        Assert.Equal("etcd-a", plan.Chain.Base.Name);
        Assert.Equal(["a1", "a2"], plan.Deltas.Select(d => d.Name));
        Assert.Equal(16, plan.Target([Revision(16, 5), Revision(17, 6), Revision(18, 6)]));

        var beforeAnyDelta = Plan(null, T0.AddSeconds(1.5));
        Assert.Equal(10, beforeAnyDelta.Target([Revision(11, 2)]));
        Assert.Equal("etcd-b", Plan(null, T0.AddSeconds(10)).Chain.Base.Name);
        Assert.Equal(22, Plan(null, T0.AddSeconds(10)).Target([Revision(23, 11)]));
    }

    [Fact]
    public void Refuses_points_outside_the_chains_naming_the_flag()
    {
        Assert.Contains("--to-revision: revision 5 is before the oldest full snapshot (etcd-a", Refusal(5, null), StringComparison.Ordinal);
        Assert.Contains("--to-time: 2026-11-25T13:59:00.000Z is before the oldest full snapshot", Refusal(null, T0.AddMinutes(-1)), StringComparison.Ordinal);
        Assert.Contains("--to-revision: revision 31 is after the newest delta of etcd-b (it reaches revision 30", Refusal(31, null), StringComparison.Ordinal);
        Assert.Contains("--to-time: 2026-11-25T14:00:13.000Z is after the newest delta of etcd-b", Refusal(null, T0.AddSeconds(13)), StringComparison.Ordinal);
        Assert.Contains("give exactly one", Refusal(5, T0), StringComparison.Ordinal);
        Assert.Contains("no complete full snapshot", Refusal(5, null, []), StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_a_point_past_a_gap_and_says_how_far_it_restores()
    {
        var gapped = DeltaChain.Build([Full("etcd-a", 10, 0)], [Delta("a1", "etcd-a", 10, 11, 15, 1, 2), Delta("a3", "etcd-a", 10, 18, 20, 5, 6)]);

        Assert.True(RestorePoint.TryPlan(gapped, 15, null, out _, out _));
        Assert.Contains("--to-revision: revision 19 is past a gap in the delta chain of etcd-a: revisions 16..17 are missing (delta a3 starts at 18); it restores up to revision 15",
            Refusal(19, null, gapped), StringComparison.Ordinal);
    }
}
