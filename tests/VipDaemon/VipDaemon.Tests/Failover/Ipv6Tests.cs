using System.Net;
using Edge.Testing;
using Xunit;
using static VipDaemon.Tests.Failover.Vrrp;

namespace VipDaemon.Tests.Failover;

/// <summary>
/// VRRPv3 over IPv6 between real daemons: adverts from the link-local address to ff02::12 with hop limit 255 and the
/// kernel's pseudo-header checksum, the virtual address moved on failover, and the LAN's neighbour cache moved by the
/// new master's unsolicited Neighbor Advertisement; and the same on the wire as keepalived.
/// </summary>
public sealed class Ipv6Tests
{
    private static readonly IPAddress Vip6 = IPAddress.Parse("2001:db8::100");
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(6);

    private static TestProcess StartVipd6(NetnsLab lab, int node, int priority)
    {
        var config = Path.Combine(Path.GetTempPath(), $"{lab.Node(node)}-vipd6.yaml");
        File.WriteAllText(config, $"""
            admin: 127.0.0.1:9105
            instances:
              - name: VI_6
                interface: eth0
                vrid: 61
                priority: {priority}
                advertInterval: 100ms
                addresses: [2001:db8::100/64]
            """);
        return Vrrp.StartIn(lab, node, "run", config);
    }

    private static string NeighbourMac(NetnsLab lab) =>
        lab.Exec(0, "ip", "-6", "neigh", "show", Vip6.ToString(), "dev", "br0").Stdout;

    [SkippableFact]
    public async Task Fails_over_an_ipv6_address_and_moves_the_neighbour_cache()
    {
        var why = NetnsLab.Unavailable();
        Skip.If(why is not null, why);
        await using var lab = NetnsLab.Create(2);
        var first = StartVipd6(lab, 1, 150);
        var second = StartVipd6(lab, 2, 100);
        Assert.True(await NetnsLab.WaitAsync(() => lab.Holders(Vip6) is [1], Limit) is not null, first.Output() + "\n" + second.Output());
        await Task.Delay(500);
        Assert.Equal([1], lab.Holders(Vip6));

        // The observer sends the VIP a datagram (bash's /dev/udp: no ping on a minimal machine), so its neighbour
        // cache resolves the VIP to node 1's MAC.
        Assert.Equal(0, lab.Exec(0, "bash", "-c", $"echo x > /dev/udp/{Vip6}/9").Code);
        Assert.True(await NetnsLab.WaitAsync(() => NeighbourMac(lab).Contains(lab.Mac(1), StringComparison.OrdinalIgnoreCase), Limit) is not null,
            NeighbourMac(lab));

        first.Signal(9);
        Assert.True(await NetnsLab.WaitAsync(() => lab.HasAddress(2, Vip6), Limit) is not null, second.Output());
        Assert.True(await NetnsLab.WaitAsync(() => NeighbourMac(lab).Contains(lab.Mac(2), StringComparison.OrdinalIgnoreCase), Limit) is not null,
            "the unsolicited NA (Override) moves the observer's entry to node 2: " + NeighbourMac(lab));
    }

    [SkippableFact]
    public async Task Interoperates_with_keepalived_over_ipv6()
    {
        var why = NetnsLab.Unavailable();
        Skip.If(why is not null, why);
        var missing = KeepalivedMissing();
        Skip.If(missing is not null, missing);
        await using var lab = NetnsLab.Create(2);
        var dir = Path.Combine(Path.GetTempPath(), lab.Node(1) + "-ka6");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "keepalived.conf"), $$"""
            global_defs {
                router_id {{lab.Node(1)}}
            }
            vrrp_instance VI_6 {
                state BACKUP
                interface eth0
                virtual_router_id 61
                priority 150
                advert_int 0.1
                virtual_ipaddress {
                    2001:db8::100/64 dev eth0
                }
            }
            """);
        var keepalived = lab.Start(1, "keepalived", "-n", "-l", "-D", "-G", "-P", "-f", Path.Combine(dir, "keepalived.conf"),
            "-p", Path.Combine(dir, "keepalived.pid"), "-r", Path.Combine(dir, "vrrp.pid"));
        var vipd = StartVipd6(lab, 2, 100);
        Assert.True(await NetnsLab.WaitAsync(() => lab.Holders(Vip6) is [1], Limit) is not null, "keepalived (150) is master\n" + vipd.Output());
        await Task.Delay(1000);
        Assert.Equal([1], lab.Holders(Vip6)); // vipd accepted keepalived's IPv6 adverts (checksum, hop limit) and stayed backup

        keepalived.Signal(15);
        Assert.True(await NetnsLab.WaitAsync(() => lab.Holders(Vip6) is [2], Limit) is not null, "vipd takes over\n" + vipd.Output());
    }
}
