using AlbOperator.Core.Desired;
using AlbOperator.Core.Model;
using k8s.Models;
using VipDaemon.Core.Config;

namespace AlbOperator.Core.Tests.Desired;

public class VipdTests
{
    private static V1DaemonSet DaemonSet(AlbSpec? spec = null) => TestAlbs.Desired(spec ?? TestAlbs.HostNetworkVip).Get<V1DaemonSet>()!;

    private static string Config(AlbSpec? spec = null) => TestAlbs.Desired(spec ?? TestAlbs.HostNetworkVip).Get<V1ConfigMap>("web-vipd")!.Data["vipd.yaml"];

    [Fact]
    public void No_vip_no_vipd() =>
        Assert.DoesNotContain(TestAlbs.Desired(TestAlbs.HostNetworkVip with { Vip = null }).Objects, o => o.Name.EndsWith("-vipd", StringComparison.Ordinal));

    [Fact]
    public void Runs_on_the_albs_nodes_on_the_host_network_with_two_capabilities()
    {
        var pod = DaemonSet().Spec.Template.Spec;
        var vipd = Assert.Single(pod.Containers);

        Assert.True(pod.HostNetwork);
        Assert.Equal("", pod.NodeSelector["node-role.kubernetes.io/ingress"]);
        Assert.Equal("node-role.kubernetes.io/ingress", Assert.Single(pod.Tolerations).Key);
        Assert.False(pod.AutomountServiceAccountToken);
        Assert.Equal(["ALL"], vipd.SecurityContext.Capabilities.Drop);
        Assert.Equal(["NET_ADMIN", "NET_RAW"], vipd.SecurityContext.Capabilities.Add);
        Assert.False(vipd.SecurityContext.AllowPrivilegeEscalation);
        Assert.Null(vipd.SecurityContext.Privileged);
        Assert.Equal(["run", "/etc/vipd/vipd.yaml"], vipd.Args);
        Assert.Equal("/etc/vipd", vipd.VolumeMounts.Single(m => m.Name == "config").MountPath);
        Assert.Equal("web-vipd", pod.Volumes.Single(v => v.Name == "config").ConfigMap.Name);
        Assert.Equal(("127.0.0.1", "/healthz", "9105"), (vipd.LivenessProbe.HttpGet.Host, vipd.LivenessProbe.HttpGet.Path, vipd.LivenessProbe.HttpGet.Port.Value));
    }

    [Fact]
    public void The_config_is_valid_for_vipd_and_tracks_the_local_albs_readiness()
    {
        var (config, errors) = ConfigReader.Read(Config());

        Assert.Empty(errors);
        var instance = Assert.Single(config!.Instances);
        Assert.Equal(("edge/web", "eth0", (byte)51, 3, (byte)100, 10), (instance.Name, instance.Interface, instance.Vrid, instance.Version, instance.Priority, instance.AdvertIntervalCentiseconds));
        Assert.Equal("192.0.2.100/32", Assert.Single(instance.Addresses).ToString());
        var tracker = Assert.Single(instance.Trackers);
        Assert.Equal(TrackerKind.Http, tracker.Kind);
        Assert.Equal(new Uri("http://127.0.0.1:10254/readyz"), tracker.Url);
        Assert.Equal(0, tracker.Weight); // not ready: FAULT, so the VIP goes to a node whose alb is ready
        Assert.Equal("127.0.0.1:9105", config.Admin.ToString());
    }

    [Theory]
    [InlineData("192.0.2.7", "192.0.2.7/32")]
    [InlineData("2001:db8::7/64", "2001:db8::7/64")]
    public void Addresses_get_their_prefix(string address, string expected)
    {
        var (config, errors) = ConfigReader.Read(Config(TestAlbs.HostNetworkVip with { Vip = TestAlbs.HostNetworkVip.Vip! with { Address = address, AdvertInterval = null } }));

        Assert.Empty(errors);
        Assert.Equal(expected, Assert.Single(config!.Instances[0].Addresses).ToString());
        Assert.Equal(100, config.Instances[0].AdvertIntervalCentiseconds); // the 1s default
    }

    [Fact]
    public void A_changed_config_rolls_the_daemon_set()
    {
        var before = DaemonSet().Spec.Template.Metadata.Annotations[AlbApi.ConfigHashAnnotation];
        var after = DaemonSet(TestAlbs.HostNetworkVip with { Vip = TestAlbs.HostNetworkVip.Vip! with { Vrid = 52 } }).Spec.Template.Metadata.Annotations[AlbApi.ConfigHashAnnotation];

        Assert.NotEqual(before, after);
    }

    [Fact]
    public void Updates_one_node_at_a_time()
    {
        var strategy = DaemonSet().Spec.UpdateStrategy;

        Assert.Equal(("RollingUpdate", "1", "0"), (strategy.Type, strategy.RollingUpdate.MaxUnavailable.Value, strategy.RollingUpdate.MaxSurge.Value));
    }
}
