using Alb.Core.Cluster;
using Alb.Core.Translation;
using k8s.Models;
using Xunit;

namespace Alb.Core.Tests.Cluster;

public sealed class IngressStatusPlannerTests
{
    private static readonly IReadOnlyList<V1IngressLoadBalancerIngress> Ours = StatusAddresses.FromStatic(["10.0.0.1", "10.0.0.2"]);

    private static V1Ingress Ingress(string name, string? className, params string[] status) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Spec = new V1IngressSpec { IngressClassName = className },
        Status = new V1IngressStatus { LoadBalancer = new V1IngressLoadBalancerStatus { Ingress = [.. StatusAddresses.FromStatic(status)] } },
    };

    [Fact]
    public void Only_ingresses_whose_status_would_change_are_written()
    {
        var writes = IngressStatusPlanner.Plan(
            [Ingress("fresh", "alb"), Ingress("done", "alb", "10.0.0.2", "10.0.0.1"), Ingress("stale", "alb", "10.0.0.9"), Ingress("theirs", "nginx", "192.0.2.1")],
            [], new TranslationOptions(), Ours);
        Assert.Equal(["fresh", "stale"], writes.Select(w => w.Ingress.Metadata.Name));
        Assert.All(writes, w => Assert.True(StatusAddresses.Same(Ours, w.Addresses)));
    }

    [Fact]
    public void An_ingress_that_is_not_ours_loses_our_addresses_and_keeps_another_controllers()
    {
        var writes = IngressStatusPlanner.Plan([Ingress("moved", "nginx", "10.0.0.1", "10.0.0.2", "192.0.2.1")], [], new TranslationOptions(), Ours);
        var write = Assert.Single(writes);
        Assert.Equal(["192.0.2.1|"], StatusAddresses.Keys(write.Addresses));
    }

    [Fact]
    public void The_patch_carries_the_whole_list_and_the_planned_resource_version_as_a_precondition()
    {
        var ingress = Ingress("moved", "nginx", "10.0.0.1", "192.0.2.1");
        ingress.Metadata.ResourceVersion = "4711";
        var patch = System.Text.Json.Nodes.JsonNode.Parse(Assert.Single(IngressStatusPlanner.Plan([ingress], [], new TranslationOptions(), Ours)).Patch())!;
        Assert.Equal("4711", (string?)patch["metadata"]!["resourceVersion"]);
        Assert.Equal("""[{"ip":"192.0.2.1"}]""", patch["status"]!["loadBalancer"]!["ingress"]!.ToJsonString());
        Assert.Null(patch["spec"]);
    }

    [Fact]
    public void The_controller_class_decides_which_ingress_classes_are_ours()
    {
        var nginxClass = new V1IngressClass { Metadata = new() { Name = "nginx" }, Spec = new() { Controller = "k8s.io/ingress-nginx" } };
        Assert.Empty(IngressStatusPlanner.Plan([Ingress("web", "nginx")], [nginxClass], new TranslationOptions(), Ours));
        var takeOver = new TranslationOptions { ControllerClass = "k8s.io/ingress-nginx" };
        Assert.Equal("web", Assert.Single(IngressStatusPlanner.Plan([Ingress("web", "nginx")], [nginxClass], takeOver, Ours)).Ingress.Metadata.Name);
    }
}
