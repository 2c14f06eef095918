using Edge.Testing;
using Xunit;
using static VipDaemon.Tests.Failover.Vrrp;

namespace VipDaemon.Tests.Failover;

/// <summary>
/// Real vipd processes in network namespaces on one bridge: crashes, clean stops, cable cuts, returns. Timing is
/// measured in benchmarks; these tests check who holds the address, with generous limits.
/// </summary>
public sealed class FailoverTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

    /// <summary>N vipd nodes, priorities 150, 100, 50; node 1 becomes master. (pkill would reach every namespace: signal by pid.)</summary>
    private static async Task<(NetnsLab Lab, TestProcess[] Daemons)> LabWithMasterAsync(int nodes)
    {
        var lab = NetnsLab.Create(nodes);
        var daemons = Enumerable.Range(1, nodes).Select(i => StartVipd(lab, i, 200 - (i * 50))).ToArray();
        Assert.NotNull(await NetnsLab.WaitAsync(() => lab.Holders(Vip) is [1], Limit));
        return (lab, daemons);
    }

    [SkippableFact]
    public async Task A_killed_master_is_replaced_and_its_restart_leaves_exactly_one_vip()
    {
        var why = NetnsLab.Unavailable();
        Skip.If(why is not null, why);
        var (lab, daemons) = await LabWithMasterAsync(3);
        await using var labScope = lab;
        daemons[0].Signal(9);

        Assert.NotNull(await NetnsLab.WaitAsync(() => lab.HasAddress(2, Vip), Limit));
        Assert.True(lab.HasAddress(1, Vip), "kill -9 leaves the address on the dead node (kernel state)");
        Assert.False(lab.HasAddress(3, Vip));

        // What the systemd unit's ExecStopPost does after a crash.
        var (code, output, _) = ExecIn(lab, 1, "cleanup", Path.Combine(Path.GetTempPath(), $"{lab.Node(1)}-vipd.yaml"));
        Assert.Equal(0, code);
        Assert.Contains("removed 192.0.2.100/32 from eth0", output, StringComparison.Ordinal);
        Assert.False(lab.HasAddress(1, Vip));
        lab.Exec(1, "ip", "addr", "add", "192.0.2.100/32", "dev", "eth0"); // leave a stale copy again: the restart must remove it

        StartVipd(lab, 1, 150);
        Assert.NotNull(await NetnsLab.WaitAsync(() => lab.Holders(Vip) is [1], Limit)); // stale copy removed, then preempted back
        await Task.Delay(500);
        Assert.Equal([1], lab.Holders(Vip));

        // The observer's ARP for the VIP answers with node 1's MAC only.
        (code, output, _) = lab.Exec(0, "arping", "-c", "2", "-w", "3", "-I", "br0", "192.0.2.100");
        Assert.Equal(0, code);
        Assert.Contains(lab.Mac(1), output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(lab.Mac(2), output, StringComparison.OrdinalIgnoreCase);
    }

    [SkippableFact]
    public async Task A_stopped_master_hands_over_with_priority_0_and_keeps_no_vip()
    {
        var why = NetnsLab.Unavailable();
        Skip.If(why is not null, why);
        var (lab, daemons) = await LabWithMasterAsync(2);
        await using var _ = lab;
        daemons[0].Signal(15);
        var moved = await NetnsLab.WaitAsync(() => lab.Holders(Vip) is [2], Limit);
        Assert.NotNull(moved);
        Assert.False(lab.HasAddress(1, Vip));
        Assert.Equal(0, await daemons[0].WaitForExitAsync(Limit));
    }

    [SkippableFact]
    public async Task A_cut_cable_sends_the_master_to_fault_and_it_preempts_back_when_plugged_in()
    {
        var why = NetnsLab.Unavailable();
        Skip.If(why is not null, why);
        var (lab, _) = await LabWithMasterAsync(2);
        await using var __ = lab;
        lab.SetLink(1, up: false);
        Assert.NotNull(await NetnsLab.WaitAsync(() => lab.Holders(Vip) is [2], Limit)); // node 1 in FAULT drops the address
        lab.SetLink(1, up: true);
        Assert.NotNull(await NetnsLab.WaitAsync(() => lab.Holders(Vip) is [1], Limit));
    }

    [SkippableFact]
    public async Task Nopreempt_keeps_the_new_master_when_the_old_one_returns()
    {
        var why = NetnsLab.Unavailable();
        Skip.If(why is not null, why);
        await using var lab = NetnsLab.Create(2);
        var first = StartVipd(lab, 1, 150, preempt: false);
        Assert.NotNull(await NetnsLab.WaitAsync(() => lab.Holders(Vip) is [1], Limit)); // alone first: nopreempt never takes over a running master
        StartVipd(lab, 2, 100);
        first.Signal(15);
        Assert.NotNull(await NetnsLab.WaitAsync(() => lab.Holders(Vip) is [2], Limit));
        StartVipd(lab, 1, 150, preempt: false);
        await Task.Delay(2000);
        Assert.Equal([2], lab.Holders(Vip));
    }

    [SkippableTheory]
    [InlineData(3, "100ms", 0.1)]
    [InlineData(2, "1s", 1.0)]
    public async Task Interoperates_with_keepalived_each_side_taking_over(int version, string interval, double seconds)
    {
        var why = NetnsLab.Unavailable();
        Skip.If(why is not null, why);
        var missing = KeepalivedMissing();
        Skip.If(missing is not null, missing);
        await using var lab = NetnsLab.Create(2);
        var limit = TimeSpan.FromSeconds(seconds * 6 + 3);

        var keepalived = StartKeepalived(lab, 1, 150, seconds, version);
        var vipd = StartVipd(lab, 2, 100, interval, version);
        Assert.True(await NetnsLab.WaitAsync(() => lab.Holders(Vip) is [1], limit) is not null, "keepalived (150) becomes master over vipd (100)");

        keepalived.Signal(15); // keepalived stops with priority 0: vipd takes over
        Assert.True(await NetnsLab.WaitAsync(() => lab.Holders(Vip) is [2], limit) is not null, "vipd takes over from a stopped keepalived");

        Assert.Equal(0, await keepalived.WaitForExitAsync(limit));
        keepalived = StartKeepalived(lab, 1, 150, seconds, version); // keepalived returns and preempts vipd
        Assert.True(await NetnsLab.WaitAsync(() => lab.Holders(Vip) is [1], limit) is not null, "keepalived preempts vipd back\n" + keepalived.Output() + "\n" + vipd.Output());

        vipd.Signal(15);
        Assert.Equal(0, await vipd.WaitForExitAsync(limit));
        StartVipd(lab, 2, 200, interval, version); // now vipd outranks keepalived
        Assert.True(await NetnsLab.WaitAsync(() => lab.Holders(Vip) is [2], limit) is not null, "vipd (200) preempts keepalived (150)");
    }
}
