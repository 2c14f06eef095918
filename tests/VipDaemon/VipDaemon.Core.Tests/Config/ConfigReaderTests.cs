using System.Net;
using VipDaemon.Core.Config;
using VipDaemon.Core.Packets;
using Xunit;

namespace VipDaemon.Core.Tests.Config;

public sealed class ConfigReaderTests
{
    private const string Full = """
        admin: 127.0.0.1:9105
        instances:
          - name: VI_1
            interface: eth0
            vrid: 51
            version: 3
            priority: 150
            advertInterval: 20ms
            addresses: [192.0.2.100/24, 192.0.2.101]
            preempt: false
            preemptDelay: 5s
            checksum: message-only
            unicast:
              source: 192.0.2.11
              peers: [192.0.2.12, 192.0.2.13]
            garp: {count: 3, interval: 50ms, refresh: 60s}
            track:
              interfaces: [{name: eth1, weight: -20}]
              http: [{name: alb, url: "http://127.0.0.1:10254/readyz", interval: 500ms, timeout: 200ms, rise: 2, fall: 3, weight: 0}]
              exec: [{name: disk, command: [/usr/local/bin/check-disk, --quick], weight: -30}]
            notify: {command: /usr/local/bin/vip-notify, timeout: 3s}
          - name: VI_6
            interface: eth0
            vrid: 52
            addresses: ["2001:db8::100/64"]
        """;

    [Fact]
    public void Accepts_a_full_config()
    {
        var (config, errors) = ConfigReader.Read(Full);
        Assert.Empty(errors);
        var vi1 = config!.Instances[0];
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 9105), config.Admin);
        Assert.Equal((byte)51, vi1.Vrid);
        Assert.Equal(2, vi1.AdvertIntervalCentiseconds);
        Assert.Equal(new VirtualAddress(IPAddress.Parse("192.0.2.100"), 24), vi1.Addresses[0]);
        Assert.Equal(32, vi1.Addresses[1].PrefixLength);
        Assert.False(vi1.Preempt);
        Assert.Equal(TimeSpan.FromSeconds(5), vi1.PreemptDelay);
        Assert.Equal(V3Checksum.MessageOnly, vi1.Checksum);
        Assert.Equal(2, vi1.UnicastPeers.Count);
        Assert.Equal(3, vi1.Garp.Count);
        Assert.Equal(3, vi1.Trackers.Count);
        Assert.Equal(new Uri("http://127.0.0.1:10254/readyz"), vi1.Trackers.Single(t => t.Kind == TrackerKind.Http).Url);
        Assert.Equal(["/usr/local/bin/check-disk", "--quick"], vi1.Trackers.Single(t => t.Kind == TrackerKind.Exec).Command);
        Assert.Equal("/usr/local/bin/vip-notify", vi1.Notify!.Command);
        Assert.True(config.Instances[1].IsIpv6);
        Assert.Equal(100, config.Instances[1].AdvertIntervalCentiseconds);
    }

    [Theory]
    [InlineData("instances: []", "instances: must not be empty")]
    [InlineData("instances: [{name: a, interface: eth0, vrid: 0, addresses: [192.0.2.1]}]", "instances[0].vrid: \"0\" is not a whole number in 1-255")]
    [InlineData("instances: [{name: a, interface: eth0, vrid: 1, priority: 300, addresses: [192.0.2.1]}]", "instances[0].priority")]
    [InlineData("instances: [{name: a, interface: eth0, vrid: 1, addresses: [192.0.2.1], advertInterval: 5ms}]", "instances[0].advertInterval")]
    [InlineData("instances: [{name: a, interface: eth0, vrid: 1, version: 2, addresses: [192.0.2.1], advertInterval: 100ms}]", "VRRPv2 carries whole seconds")]
    [InlineData("instances: [{name: a, interface: eth0, vrid: 1, version: 2, addresses: [\"2001:db8::1\"]}]", "instances[0].version: VRRPv2 is IPv4 only")]
    [InlineData("instances: [{name: a, interface: eth0, vrid: 1, addresses: [192.0.2.1, \"2001:db8::1\"]}]", "mixes IPv4 and IPv6")]
    [InlineData("instances: [{name: a, interface: eth0, vrid: 1, addresses: [192.0.2.1/33]}]", "instances[0].addresses[0]: prefix")]
    [InlineData("instances: [{name: a, interface: eth0, vrid: 1, addresses: [nope]}]", "instances[0].addresses[0]: \"nope\" is not ADDRESS[/PREFIX]")]
    [InlineData("instances: [{name: a, interface: eth0, vrid: 1, addresses: [192.0.2.1], priorty: 5}]", "instances[0].priorty: unknown key")]
    [InlineData("instances: [{name: a, interface: eth0, vrid: 1, addresses: [192.0.2.1], checksum: crc}]", "instances[0].checksum")]
    [InlineData("instances: [{name: a, interface: eth0, vrid: 1, addresses: [192.0.2.1], track: {http: [{name: h, url: \"ftp://x\"}]}}]", "instances[0].track.http[0].url")]
    [InlineData("instances: [{name: a, interface: eth0, vrid: 1, addresses: [192.0.2.1], track: {exec: [{name: h, command: [check]}]}}]", "must be an absolute path")]
    [InlineData("instances: [{name: a, interface: eth0, vrid: 1, addresses: [192.0.2.1]}, {name: a, interface: eth0, vrid: 1, addresses: [192.0.2.2]}]", "VRID 1 is used twice on eth0")]
    [InlineData("admin: nowhere\ninstances: [{name: a, interface: eth0, vrid: 1, addresses: [192.0.2.1]}]", "admin: \"nowhere\" is not ADDRESS:PORT")]
    [InlineData("instances: {name: a", "line")]
    [InlineData("- a\n- b", "(root)")]
    [InlineData("instances: [{name: a, interface: eth0, vrid: 1, addresses: [192.0.2.1], accept: false}]", "instances[0].accept: false (keepalived's no_accept) is not supported yet")]
    public void Rejects_bad_configs_naming_the_path(string yaml, string expected)
    {
        var (config, errors) = ConfigReader.Read(yaml);
        Assert.Null(config);
        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Reports_every_error_not_only_the_first()
    {
        var (_, errors) = ConfigReader.Read("instances: [{name: a, vrid: 999, priority: x, addresses: [bad]}]");
        Assert.True(errors.Count >= 4, string.Join("\n", errors)); // interface missing, vrid, priority, address
    }
}
