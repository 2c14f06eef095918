using AlbOperator.Core.Desired;
using AlbOperator.Core.Model;
using k8s.Models;

namespace AlbOperator.Core.Tests.Desired;

public class DesiredStateTests
{
    [Fact]
    public void Objects_come_in_apply_order()
    {
        Assert.Equal(
            ["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "ConfigMap", "Service", "Deployment", "PodDisruptionBudget", "IngressClass"],
            TestAlbs.Desired().Objects.Select(o => o.Kind));
        Assert.Equal(
            ["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "ConfigMap", "Service", "Deployment", "PodDisruptionBudget", "IngressClass", "ConfigMap", "DaemonSet"],
            TestAlbs.Desired(TestAlbs.HostNetworkVip).Objects.Select(o => o.Kind));
    }

    [Fact]
    public void Objects_are_named_after_the_alb()
    {
        var names = TestAlbs.Desired(TestAlbs.HostNetworkVip).Objects.Select(o => $"{o.Kind} {o.Namespace}/{o.Name}");

        Assert.Equal(
        [
            "ServiceAccount edge/web", "ClusterRole /edge.io:alb:edge:web", "ClusterRoleBinding /edge.io:alb:edge:web", "Role edge/web",
            "RoleBinding edge/web", "ConfigMap edge/web-config", "Service edge/web", "Deployment edge/web", "PodDisruptionBudget edge/web",
            "IngressClass /web", "ConfigMap edge/web-vipd", "DaemonSet edge/web-vipd",
        ], names);
    }

    [Fact]
    public void Namespaced_objects_are_controlled_by_the_alb()
    {
        foreach (var o in TestAlbs.Desired(TestAlbs.HostNetworkVip).Objects.Where(o => !o.ClusterScoped))
        {
            var owner = Assert.Single(o.Object.Metadata.OwnerReferences);
            Assert.Equal(("edge.io/v1alpha1", "Alb", "web", "uid-edge-web", true, true),
                (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid, owner.Controller, owner.BlockOwnerDeletion));
        }
    }

    [Fact]
    public void Cluster_scoped_objects_carry_owner_labels_instead_of_references()
    {
        var cluster = TestAlbs.Desired().Objects.Where(o => o.ClusterScoped).ToList();

        Assert.Equal(["ClusterRole", "ClusterRoleBinding", "IngressClass"], cluster.Select(o => o.Kind));
        foreach (var o in cluster)
        {
            Assert.Null(o.Object.Metadata.OwnerReferences);
            Assert.Equal("edge", o.Object.Metadata.Labels["edge.io/alb-namespace"]);
            Assert.Equal("web", o.Object.Metadata.Labels["edge.io/alb-name"]);
        }
    }

    [Fact]
    public void Every_object_carries_the_label_set()
    {
        foreach (var o in TestAlbs.Desired(TestAlbs.HostNetworkVip).Objects)
        {
            var labels = o.Object.Metadata.Labels;
            Assert.Equal("alb", labels["app.kubernetes.io/name"]);
            Assert.Equal("web", labels["app.kubernetes.io/instance"]);
            Assert.Equal("alb-operator", labels["app.kubernetes.io/managed-by"]);
            Assert.Equal(o.Name.EndsWith("-vipd", StringComparison.Ordinal) ? "vipd" : "alb", labels["app.kubernetes.io/component"]);
        }
    }

    [Fact]
    public void The_owner_selector_selects_every_object()
    {
        var selector = AlbLabels.OwnerSelector(new AlbNames("edge", "web"));
        var required = selector.Split(',').Select(p => p.Split('=')).ToList();

        Assert.Equal("app.kubernetes.io/managed-by=alb-operator,edge.io/alb-namespace=edge,edge.io/alb-name=web", selector);
        Assert.All(TestAlbs.Desired(TestAlbs.HostNetworkVip).Objects, o =>
            Assert.All(required, r => Assert.Equal(r[1], o.Object.Metadata.Labels[r[0]])));
    }

    [Fact]
    public void Two_albs_get_distinct_cluster_scoped_names_and_controllers()
    {
        // "alb-<ns>-<name>" would give both "alb-a-b-c".
        var first = TestAlbs.Desired(name: "c", ns: "a-b");
        var second = TestAlbs.Desired(name: "b-c", ns: "a");

        var firstNames = first.Objects.Where(o => o.ClusterScoped && o.Kind != "IngressClass").Select(o => o.Name).ToHashSet();
        Assert.DoesNotContain(second.Objects.Where(o => o.ClusterScoped).Select(o => o.Name), firstNames.Contains);
        Assert.NotEqual(first.Get<V1IngressClass>()!.Spec.Controller, second.Get<V1IngressClass>()!.Spec.Controller);
    }

    [Fact]
    public void Two_albs_serve_disjoint_ingress_classes()
    {
        var internalAlb = TestAlbs.Desired(new AlbSpec { IngressClass = new AlbIngressClassSpec { Name = "internal" } }, name: "internal");
        var publicAlb = TestAlbs.Desired(new AlbSpec { IngressClass = new AlbIngressClassSpec { Name = "public", Default = true } }, name: "public");

        var internalClass = internalAlb.Get<V1IngressClass>()!;
        var publicClass = publicAlb.Get<V1IngressClass>()!;
        Assert.Equal(("internal", "edge.io/alb/edge/internal"), (internalClass.Metadata.Name, internalClass.Spec.Controller));
        Assert.Equal(("public", "edge.io/alb/edge/public"), (publicClass.Metadata.Name, publicClass.Spec.Controller));

        // Each alb is told its own controller value, and serves only classes that name it.
        Assert.Equal("edge.io/alb/edge/internal", Args(internalAlb).SkipWhile(a => a != "--controller-class").ElementAt(1));
        Assert.Equal("edge.io/alb/edge/public", Args(publicAlb).SkipWhile(a => a != "--controller-class").ElementAt(1));
    }

    [Fact]
    public void An_invalid_alb_has_errors_and_no_objects()
    {
        var desired = TestAlbs.Desired(new AlbSpec { Replicas = 0 });

        Assert.False(desired.IsValid);
        Assert.Empty(desired.Objects);
        Assert.Equal("spec.replicas: must be >= 1 (got 0)", Assert.Single(desired.Errors).ToString());
    }

    [Fact]
    public void An_alb_without_a_uid_cannot_own_anything()
    {
        var alb = TestAlbs.Alb();
        alb.Metadata.Uid = null;

        Assert.Equal("metadata.uid", Assert.Single(DesiredState.For(alb, TestAlbs.Options).Errors).Field);
    }

    [Fact]
    public void Images_come_from_the_spec_then_the_operator()
    {
        Assert.Equal("registry.example.com/edge/alb:1.0", Container(TestAlbs.Desired()).Image);
        Assert.Equal("mine/alb:2", Container(TestAlbs.Desired(new AlbSpec { Image = "mine/alb:2" })).Image);

        Assert.Equal("registry.example.com/edge/vipd:1.0", Vipd(TestAlbs.Desired(TestAlbs.HostNetworkVip)).Image);
        Assert.Equal("mine/vipd:3", Vipd(TestAlbs.Desired(TestAlbs.HostNetworkVip with { Vip = TestAlbs.HostNetworkVip.Vip! with { Image = "mine/vipd:3" } })).Image);
        var options = TestAlbs.Options with { VipdImage = "other/vipd:4" };
        Assert.Equal("other/vipd:4", Vipd(DesiredState.For(TestAlbs.Alb(TestAlbs.HostNetworkVip), options)).Image);
    }

    [Fact]
    public void A_vipd_image_is_not_guessed_from_a_digest()
    {
        var spec = TestAlbs.HostNetworkVip with { Image = "reg/alb@sha256:0123" };

        Assert.Equal("spec.vip.image", Assert.Single(TestAlbs.Desired(spec).Errors).Field);
    }

    [Theory]
    [InlineData("registry.example.com/edge/alb:1.0", "registry.example.com/edge/vipd:1.0")]
    [InlineData("reg:5000/edge/alb", "reg:5000/edge/vipd")]
    [InlineData("alb:dev", "vipd:dev")]
    [InlineData("reg/alb@sha256:00", null)]
    public void Sibling_images_keep_registry_path_and_tag(string image, string? sibling) =>
        Assert.Equal(sibling, Images.Sibling(image, "vipd"));

    [Fact]
    public void The_config_map_holds_spec_config()
    {
        var map = TestAlbs.Desired(new AlbSpec { Config = new Dictionary<string, string> { ["ssl-redirect"] = "false", ["proxy-body-size"] = "8m" } }).Get<V1ConfigMap>("web-config")!;

        Assert.Equal(["proxy-body-size", "ssl-redirect"], map.Data.Keys);
        Assert.Equal("8m", map.Data["proxy-body-size"]);
    }

    [Fact]
    public void The_service_follows_spec_service()
    {
        var service = TestAlbs.Desired(new AlbSpec
        {
            Service = new AlbServiceSpec { Annotations = new Dictionary<string, string> { ["lb.example.com/internal"] = "true" } },
        }).Get<V1Service>()!;

        Assert.Equal("LoadBalancer", service.Spec.Type);
        Assert.Equal("Local", service.Spec.ExternalTrafficPolicy);
        Assert.Equal("true", service.Metadata.Annotations["lb.example.com/internal"]);
        Assert.Equal([("http", 80, "http"), ("https", 443, "https")], service.Spec.Ports.Select(p => (p.Name, p.Port, p.TargetPort.Value)));
        Assert.Equal(new Dictionary<string, string> { ["app.kubernetes.io/name"] = "alb", ["app.kubernetes.io/instance"] = "web", ["app.kubernetes.io/component"] = "alb" }, service.Spec.Selector);

        var host = TestAlbs.Desired(TestAlbs.HostNetworkVip).Get<V1Service>()!;
        Assert.Equal("ClusterIP", host.Spec.Type);
        Assert.Null(host.Spec.ExternalTrafficPolicy);
    }

    [Fact]
    public void The_disruption_budget_allows_one_pod_down_and_selects_the_alb_pods()
    {
        var desired = TestAlbs.Desired(TestAlbs.HostNetworkVip);
        var budget = desired.Get<V1PodDisruptionBudget>()!;
        var albPods = desired.Get<V1Deployment>()!.Spec.Template.Metadata.Labels;
        var vipdPods = desired.Get<V1DaemonSet>()!.Spec.Template.Metadata.Labels;

        Assert.Equal("1", budget.Spec.MaxUnavailable.Value);
        Assert.Null(budget.Spec.MinAvailable);
        Assert.True(Selects(budget.Spec.Selector.MatchLabels, albPods));
        Assert.False(Selects(budget.Spec.Selector.MatchLabels, vipdPods));
        Assert.False(Selects(desired.Get<V1Service>()!.Spec.Selector, vipdPods));
        Assert.False(Selects(desired.Get<V1DaemonSet>()!.Spec.Selector.MatchLabels, albPods));
    }

    [Fact]
    public void The_ingress_class_names_the_alb_and_its_controller()
    {
        var ingressClass = TestAlbs.Desired().Get<V1IngressClass>()!;

        Assert.StartsWith("edge.io/alb", ingressClass.Spec.Controller, StringComparison.Ordinal);
        Assert.Equal(("edge.io", "Alb", "web", "edge", "Namespace"),
            (ingressClass.Spec.Parameters.ApiGroup, ingressClass.Spec.Parameters.Kind, ingressClass.Spec.Parameters.Name, ingressClass.Spec.Parameters.NamespaceProperty, ingressClass.Spec.Parameters.Scope));
        Assert.False(ingressClass.Metadata.Annotations.ContainsKey("ingressclass.kubernetes.io/is-default-class"));
    }

    [Fact]
    public void A_default_class_carries_the_default_annotation()
    {
        var ingressClass = TestAlbs.Desired(new AlbSpec { IngressClass = new AlbIngressClassSpec { Name = "public", Default = true } }).Get<V1IngressClass>()!;

        Assert.Equal("public", ingressClass.Metadata.Name);
        Assert.Equal("true", ingressClass.Metadata.Annotations["ingressclass.kubernetes.io/is-default-class"]);
    }

    internal static bool Selects(IDictionary<string, string> selector, IDictionary<string, string> labels) =>
        selector.All(s => labels.TryGetValue(s.Key, out var v) && v == s.Value);

    private static V1Container Container(DesiredState desired) => desired.Get<V1Deployment>()!.Spec.Template.Spec.Containers[0];

    private static V1Container Vipd(DesiredState desired) => desired.Get<V1DaemonSet>()!.Spec.Template.Spec.Containers[0];

    private static IList<string> Args(DesiredState desired) => Container(desired).Args;
}
