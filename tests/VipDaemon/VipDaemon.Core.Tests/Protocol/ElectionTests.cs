using VipDaemon.Core.Protocol;
using Xunit;

namespace VipDaemon.Core.Tests.Protocol;

/// <summary>Routers on an in-memory wire with a fake clock: the RFC's elections, timers and failovers.</summary>
public sealed class ElectionTests
{
    private static (Wire Wire, Router A, Router B, Router C) ThreeNodes(int intervalCs = 100, bool preemptA = true)
    {
        var wire = new Wire();
        var a = wire.Add("a", 150, 11, intervalCs: intervalCs, preempt: preemptA);
        var b = wire.Add("b", 100, 12, intervalCs: intervalCs);
        var c = wire.Add("c", 50, 13, intervalCs: intervalCs);
        a.Start();
        b.Start();
        c.Start();
        wire.Run(TimeSpan.FromSeconds(5));
        return (wire, a, b, c);
    }

    [Fact]
    public void Elects_the_highest_priority_after_its_master_down_interval_and_never_starts_as_master()
    {
        var wire = new Wire();
        var a = wire.Add("a", 150, 11);
        var b = wire.Add("b", 100, 12);
        a.Start();
        b.Start();
        Assert.Empty(wire.Masters); // everyone starts Backup
        wire.Run(TimeSpan.FromSeconds(5));

        Assert.Equal([a], wire.Masters);
        Assert.Equal([a], wire.HoldingVip);
        var (at, transition) = a.Transitions.Single(t => t.Transition.To == VrrpRole.Master);
        Assert.Equal(TransitionCause.MasterDownTimer, transition.Cause);
        // Master_Down_Interval for priority 150 at 1 s: 3 s + (106 × 1 s) / 256 = 3414.06 ms
        Assert.Equal(3414.06, (at - TimeSpan.FromSeconds(100)).TotalMilliseconds, 1);
        Assert.Equal(0, b.Transitions.Count(t => t.Transition.To == VrrpRole.Master));
    }

    [Fact]
    public void The_address_owner_takes_over_at_once()
    {
        var wire = new Wire();
        var owner = wire.Add("owner", 255, 11);
        var b = wire.Add("b", 100, 12);
        b.Start();
        wire.Run(TimeSpan.FromSeconds(5));
        Assert.Equal([b], wire.Masters);
        owner.Start();
        Assert.Equal(VrrpRole.Master, owner.State.Role);
        wire.Run(TimeSpan.FromMilliseconds(10));
        Assert.Equal([owner], wire.Masters);
        Assert.Equal([owner], wire.HoldingVip);
    }

    [Fact]
    public void A_crashed_master_is_replaced_by_the_next_priority_within_master_down_interval()
    {
        var (wire, a, b, c) = ThreeNodes();
        var crashAt = wire.Now;
        a.Crash();
        wire.Run(TimeSpan.FromSeconds(5));
        Assert.Equal([b], wire.Masters);
        var takeover = b.Transitions.Single(t => t.Transition.To == VrrpRole.Master).At - crashAt;
        // The last advert came at most one interval before the crash: takeover in (MDI - 1 s, MDI]; MDI(100) = 3609.4 ms.
        Assert.InRange(takeover.TotalMilliseconds, 2609, 3610);
        Assert.Equal(0, c.Transitions.Count(t => t.Transition.To == VrrpRole.Master));

        // The crashed node still holds the address (kill -9); its restart removes it and it preempts back.
        Assert.True(a.HoldsVip);
        a.Start();
        Assert.False(a.HoldsVip);
        wire.Run(TimeSpan.FromSeconds(5));
        Assert.Equal([a], wire.Masters);
        Assert.Equal([a], wire.HoldingVip);
        Assert.Equal(TransitionCause.Preempted, a.Transitions.Last().Transition.Cause);
    }

    [Fact]
    public void A_clean_stop_sends_priority_0_and_the_backup_takes_over_after_skew_time()
    {
        var (wire, a, b, _) = ThreeNodes(intervalCs: 10);
        var stopAt = wire.Now;
        a.Stop();
        Assert.Equal(0, a.SentPriorities[^1]);
        Assert.False(a.HoldsVip);
        wire.Run(TimeSpan.FromSeconds(1));
        Assert.Equal([b], wire.Masters);
        var (at, transition) = b.Transitions.Single(t => t.Transition.To == VrrpRole.Master);
        Assert.Equal(TransitionCause.PriorityZeroAdvert, transition.Cause);
        var takeover = at - stopAt;
        // Skew_Time for priority 100 at 0.1 s: (156 × 100 ms) / 256 = 60.9 ms, plus the wire's 0.1 ms.
        Assert.Equal(61.0, takeover.TotalMilliseconds, 0.5);
    }

    [Fact]
    public void Nopreempt_leaves_a_lower_priority_master_in_place()
    {
        var (wire, a, b, _) = ThreeNodes(preemptA: false);
        Assert.Equal([a], wire.Masters); // first election: nobody to preempt
        a.Crash();
        wire.Run(TimeSpan.FromSeconds(5));
        Assert.Equal([b], wire.Masters);
        a.Start();
        wire.Run(TimeSpan.FromSeconds(10));
        Assert.Equal([b], wire.Masters); // a (150, nopreempt) follows b (100)
        Assert.Equal(VrrpRole.Backup, a.State.Role);
    }

    [Fact]
    public void Preempt_delay_postpones_taking_over_from_a_lower_priority_master()
    {
        var wire = new Wire();
        var a = wire.Add("a", 150, 11, preemptDelay: TimeSpan.FromSeconds(10));
        var b = wire.Add("b", 100, 12);
        b.Start();
        wire.Run(TimeSpan.FromSeconds(5));
        var startedAt = wire.Now;
        a.Start();
        wire.Run(TimeSpan.FromSeconds(8));
        Assert.Equal([b], wire.Masters);
        wire.Run(TimeSpan.FromSeconds(5));
        Assert.Equal([a], wire.Masters);
        // The delay counts from the later of start-up and first hearing the lower-priority master (within 1 s of it).
        Assert.InRange((a.Transitions.Last().At - startedAt).TotalSeconds, 10, 11.1);
    }

    [Fact]
    public void Equal_priorities_are_decided_by_the_higher_primary_address()
    {
        var wire = new Wire();
        var low = wire.Add("low", 100, 11);
        var high = wire.Add("high", 100, 12);
        low.Start();
        wire.Run(TimeSpan.FromSeconds(5));
        Assert.Equal([low], wire.Masters);
        high.Start();
        wire.Run(TimeSpan.FromSeconds(10));
        // high hears an equal priority and does not preempt (not greater); low hears an equal priority from a
        // higher address only if high ever advertises. Both started as backup of low: low stays.
        Assert.Equal([low], wire.Masters);

        // Split both, let each become master, heal: the higher address wins.
        wire.Cut(low, high);
        wire.Run(TimeSpan.FromSeconds(5));
        Assert.Equal(2, wire.Masters.Count());
        wire.Heal();
        wire.Run(TimeSpan.FromSeconds(2));
        Assert.Equal([high], wire.Masters);
        Assert.Equal([high], wire.HoldingVip);
    }

    [Fact]
    public void A_healed_split_brain_ends_with_one_master_that_reannounces_within_one_interval()
    {
        var (wire, a, b, c) = ThreeNodes();
        wire.Cut(a, b);
        wire.Cut(a, c);
        wire.Run(TimeSpan.FromSeconds(5));
        Assert.Equal(2, wire.Masters.Count()); // a and b
        var announcementsBefore = a.Announcements;
        var healAt = wire.Now;
        wire.Heal();
        wire.Run(TimeSpan.FromSeconds(1.05));
        Assert.Equal([a], wire.Masters);
        Assert.Equal([a], wire.HoldingVip);
        Assert.True(a.Announcements > announcementsBefore, "the remaining master re-announces (GARP) after the heal");
        Assert.True(b.Transitions.Last().At - healAt <= TimeSpan.FromSeconds(1.01));
    }

    [Fact]
    public void Tracker_priority_changes_act_at_once()
    {
        var (wire, a, b, _) = ThreeNodes();
        var sent = a.SentPriorities.Count;
        a.SetPriority(90); // below b
        Assert.Equal(90, a.SentPriorities[^1]); // the new priority is advertised immediately
        Assert.Equal(sent + 1, a.SentPriorities.Count);
        wire.Run(TimeSpan.FromSeconds(5));
        Assert.Equal([b], wire.Masters); // b preempts the weaker master

        a.SetPriority(150);
        wire.Run(TimeSpan.FromSeconds(5));
        Assert.Equal([a], wire.Masters);
    }

    [Fact]
    public void A_failed_weight_0_tracker_forces_fault_and_gives_up_the_address()
    {
        var (wire, a, b, _) = ThreeNodes();
        a.SetPriority(150, fault: true);
        Assert.Equal(VrrpRole.Fault, a.State.Role);
        Assert.False(a.HoldsVip);
        Assert.Equal(0, a.SentPriorities[^1]);
        wire.Run(TimeSpan.FromSeconds(2));
        Assert.Equal([b], wire.Masters);

        a.SetPriority(150, fault: false);
        Assert.Equal(VrrpRole.Backup, a.State.Role);
        wire.Run(TimeSpan.FromSeconds(5));
        Assert.Equal([a], wire.Masters);
    }

    [Fact]
    public void Tracking_never_lifts_a_router_to_255_or_drops_it_to_0()
    {
        var (_, a, _, _) = ThreeNodes();
        a.SetPriority(255);
        Assert.Equal(254, a.State.EffectivePriority);
        a.SetPriority(0);
        Assert.Equal(1, a.State.EffectivePriority);
    }

    [Fact]
    public void A_backup_learns_the_masters_advert_interval()
    {
        var wire = new Wire();
        var a = wire.Add("a", 150, 11, intervalCs: 50);
        var b = wire.Add("b", 100, 12, intervalCs: 200);
        a.Start();
        b.Start();
        wire.Run(TimeSpan.FromSeconds(10));
        Assert.Equal([a], wire.Masters);
        Assert.Equal(50, b.State.MasterAdverIntervalCentiseconds);
        var crashAt = wire.Now;
        a.Crash();
        wire.Run(TimeSpan.FromSeconds(5));
        // MDI with the learned 0.5 s: 1.5 s + 0.305 s, not 6.6 s from b's own 2 s.
        Assert.InRange((b.Transitions.Last().At - crashAt).TotalMilliseconds, 1300, 1810);
    }

    [Fact]
    public void Vrrpv2_routers_elect_the_same_way()
    {
        var wire = new Wire();
        var a = wire.Add("a", 150, 11, version: 2);
        var b = wire.Add("b", 100, 12, version: 2);
        a.Start();
        b.Start();
        wire.Run(TimeSpan.FromSeconds(5));
        Assert.Equal([a], wire.Masters);
        a.Stop();
        wire.Run(TimeSpan.FromSeconds(2));
        Assert.Equal([b], wire.Masters);
    }
}
