using Edge.Testing;
using Xunit;
using static VipDaemon.Tests.Failover.Vrrp;

namespace VipDaemon.Tests.Failover;

/// <summary>
/// Unicast VRRP (keepalived's <c>unicast_peer</c>) between real daemons, and a partition that heals: wrong neighbour
/// entries between the two nodes make both masters (split brain); when they go, the higher priority keeps the address and
/// the LAN's ARP answers return to its MAC at once.
/// </summary>
public sealed class PartitionTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

    private static TestProcess StartUnicast(NetnsLab lab, int node, int other, int priority) =>
        StartVipd(lab, node, priority, extra: $"    unicast: {{source: {NetnsLab.Address(node)}, peers: [{NetnsLab.Address(other)}]}}");

    private static void Neighbour(NetnsLab lab, int node, int other, string mac) =>
        Assert.Equal(0, lab.Exec(node, "ip", "neigh", "replace", NetnsLab.Address(other).ToString(), "lladdr", mac, "dev", "eth0", "nud", "permanent").Code);

    [SkippableFact]
    public async Task Unicast_peers_elect_one_master_and_fail_over()
    {
        var why = NetnsLab.Unavailable();
        Skip.If(why is not null, why);
        await using var lab = NetnsLab.Create(2);
        var first = StartUnicast(lab, 1, 2, 150);
        StartUnicast(lab, 2, 1, 100);
        Assert.NotNull(await NetnsLab.WaitAsync(() => lab.Holders(Vip) is [1], Limit));
        await Task.Delay(1000);
        Assert.Equal([1], lab.Holders(Vip));

        first.Signal(9);
        Assert.NotNull(await NetnsLab.WaitAsync(() => lab.HasAddress(2, Vip), Limit));
    }

    [SkippableFact]
    public async Task A_healed_split_brain_leaves_one_master_and_arp_points_at_it()
    {
        var why = NetnsLab.Unavailable();
        Skip.If(why is not null, why);
        await using var lab = NetnsLab.Create(2);
        var one = StartUnicast(lab, 1, 2, 150);
        var two = StartUnicast(lab, 2, 1, 100);
        Assert.NotNull(await NetnsLab.WaitAsync(() => lab.Holders(Vip) is [1], Limit));

        // The partition: each node's neighbour entry for the other points at a MAC nobody has, so unicast adverts
        // leave but reach no one (a blackhole route would not do: the socket is bound to eth0 and routes by device).
        Neighbour(lab, 1, 2, "02:00:00:00:00:99");
        Neighbour(lab, 2, 1, "02:00:00:00:00:99");
        var split = await NetnsLab.WaitAsync(() => lab.Holders(Vip) is [1, 2], Limit); // both masters: split brain
        Assert.True(split is not null, one.Output() + "\n" + two.Output());

        Neighbour(lab, 1, 2, lab.Mac(2));
        Neighbour(lab, 2, 1, lab.Mac(1));
        var healed = await NetnsLab.WaitAsync(() => lab.Holders(Vip) is [1], Limit);
        Assert.NotNull(healed);

        // The higher-priority master answered the lower one's advert with its own and with gratuitous ARP, so the
        // observer's cache and its ARP replies point at node 1.
        var (code, output, _) = lab.Exec(0, "arping", "-c", "2", "-w", "3", "-I", "br0", Vip.ToString());
        Assert.Equal(0, code);
        Assert.Contains(lab.Mac(1), output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(lab.Mac(2), output, StringComparison.OrdinalIgnoreCase);
    }
}
