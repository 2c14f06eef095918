using AlbOperator.Core.Model;
using AlbOperator.Core.Validation;
using k8s.Models;

namespace AlbOperator.Core.Tests.Validation;

public class DefaultsTests
{
    [Fact]
    public void An_empty_spec_gets_every_default()
    {
        var spec = Defaults.Apply(null, "web");

        Assert.Equal(3, spec.Replicas);
        Assert.Null(spec.Image);
        Assert.Equal(new AlbIngressClassSpec { Name = "web", Default = false }, spec.IngressClass);
        Assert.False(spec.HostNetwork);
        Assert.Empty(spec.NodeSelector!);
        Assert.Empty(spec.Tolerations!);
        Assert.Equal("100m", spec.Resources!.Requests["cpu"].ToString());
        Assert.Equal("128Mi", spec.Resources.Requests["memory"].ToString());
        Assert.Null(spec.Resources.Limits);
        Assert.Empty(spec.Config!);
        Assert.Equal("LoadBalancer", spec.Service!.Type);
        Assert.Equal("Local", spec.Service.ExternalTrafficPolicy);
        Assert.Empty(spec.Service.Annotations!);
        Assert.Null(spec.Vip);
    }

    [Fact]
    public void With_host_network_the_service_is_cluster_ip_without_a_traffic_policy()
    {
        var service = Defaults.Apply(new AlbSpec { HostNetwork = true }, "web").Service!;

        Assert.Equal("ClusterIP", service.Type);
        Assert.Null(service.ExternalTrafficPolicy);
    }

    [Theory]
    [InlineData("NodePort", "Local")]
    [InlineData("LoadBalancer", "Local")]
    [InlineData("ClusterIP", null)]
    public void The_traffic_policy_default_follows_the_service_type(string type, string? policy) =>
        Assert.Equal(policy, Defaults.Apply(new AlbSpec { Service = new AlbServiceSpec { Type = type } }, "web").Service!.ExternalTrafficPolicy);

    [Fact]
    public void Written_values_are_kept()
    {
        var written = new AlbSpec
        {
            Replicas = 5,
            Image = "reg/alb:9",
            IngressClass = new AlbIngressClassSpec { Default = true },
            Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("1Gi") } },
            Service = new AlbServiceSpec { Type = "NodePort", ExternalTrafficPolicy = "Cluster" },
            Vip = new AlbVipSpec { Address = "192.0.2.1", Interface = "eth0", Vrid = 1 },
        };

        var spec = Defaults.Apply(written, "web");

        Assert.Equal(5, spec.Replicas);
        Assert.Equal("reg/alb:9", spec.Image);
        Assert.Equal(new AlbIngressClassSpec { Name = "web", Default = true }, spec.IngressClass);
        Assert.Same(written.Resources, spec.Resources);
        Assert.Equal("Cluster", spec.Service!.ExternalTrafficPolicy);
        Assert.Equal("1s", spec.Vip!.AdvertInterval);
        Assert.Equal("eth0", spec.Vip.Interface);
    }

    [Fact]
    public void Applying_twice_changes_nothing()
    {
        var once = Defaults.Apply(TestAlbs.HostNetworkVip, "web");
        var twice = Defaults.Apply(once, "web");

        Assert.Equal(AlbJson.Serialize(once), AlbJson.Serialize(twice));
    }
}
