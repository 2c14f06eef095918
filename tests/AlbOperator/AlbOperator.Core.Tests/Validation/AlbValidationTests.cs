using AlbOperator.Core.Model;
using AlbOperator.Core.Validation;
using k8s.Models;

namespace AlbOperator.Core.Tests.Validation;

public class AlbValidationTests
{
    private static List<string> Errors(AlbSpec spec, string name = "web") =>
        [.. AlbValidation.Validate(TestAlbs.Alb(spec, name)).Select(e => e.ToString())];

    private static void AssertError(AlbSpec spec, string expected)
    {
        var errors = Errors(spec);
        Assert.True(errors.Any(e => e.StartsWith(expected, StringComparison.Ordinal)), $"expected \"{expected}...\" in:\n{string.Join("\n", errors)}");
    }

    [Fact]
    public void Accepts_an_empty_spec_and_the_full_examples()
    {
        Assert.Empty(Errors(new AlbSpec()));
        Assert.Empty(Errors(TestAlbs.HostNetworkVip));
    }

    [Theory]
    [InlineData("Web")]
    [InlineData("1web")]
    [InlineData("web.public")]
    [InlineData("web-")]
    [InlineData("")]
    public void Rejects_names_a_service_cannot_have(string name) =>
        Assert.Contains(Errors(new AlbSpec(), name), e => e.StartsWith("metadata.name: ", StringComparison.Ordinal));

    [Fact]
    public void Rejects_a_name_longer_than_63() =>
        Assert.Contains("metadata.name: must be at most 63 characters (has 64)", Errors(new AlbSpec(), new string('a', 64)));

    [Fact]
    public void Needs_a_namespace()
    {
        var alb = TestAlbs.Alb();
        alb.Metadata.NamespaceProperty = null;

        Assert.Contains(AlbValidation.Validate(alb), e => e.Field == "metadata.namespace");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Rejects_fewer_than_one_replica(int replicas) =>
        AssertError(new AlbSpec { Replicas = replicas }, "spec.replicas: must be >= 1");

    [Theory]
    [InlineData("")]
    [InlineData("reg/alb: 1")]
    public void Rejects_images_that_are_not_references(string image) =>
        AssertError(new AlbSpec { Image = image }, "spec.image: ");

    [Theory]
    [InlineData("Public")]
    [InlineData("public_class")]
    [InlineData("-public")]
    [InlineData("")]
    public void Rejects_ingress_class_names_that_are_not_dns_subdomains(string name) =>
        AssertError(new AlbSpec { IngressClass = new AlbIngressClassSpec { Name = name } }, "spec.ingressClass.name: ");

    [Fact]
    public void Accepts_a_dotted_ingress_class_name() =>
        Assert.Empty(Errors(new AlbSpec { IngressClass = new AlbIngressClassSpec { Name = "public.edge" } }));

    [Theory]
    [InlineData("bad key", "")]
    [InlineData("-x", "")]
    [InlineData("Example.COM/role", "")]
    [InlineData("role", "has space")]
    public void Rejects_node_selectors_that_are_not_labels(string key, string value) =>
        AssertError(new AlbSpec { NodeSelector = new Dictionary<string, string> { [key] = value } }, "spec.nodeSelector: ");

    [Theory]
    [InlineData("k", "Sometimes", "v", "NoSchedule", null, "spec.tolerations[0].operator: ")]
    [InlineData("k", "Equal", "v", "NoWay", null, "spec.tolerations[0].effect: ")]
    [InlineData("", "Equal", "v", "NoSchedule", null, "spec.tolerations[0].operator: must be Exists when key is empty")]
    [InlineData("k", "Exists", "v", "NoSchedule", null, "spec.tolerations[0].value: must be empty when operator is Exists")]
    [InlineData("bad key", "Exists", null, "NoSchedule", null, "spec.tolerations[0].key: ")]
    [InlineData("k", "Equal", "v", "NoSchedule", 30L, "spec.tolerations[0].tolerationSeconds: ")]
    public void Rejects_bad_tolerations(string key, string op, string? value, string effect, long? seconds, string expected) =>
        AssertError(new AlbSpec { Tolerations = [new V1Toleration { Key = key, OperatorProperty = op, Value = value, Effect = effect, TolerationSeconds = seconds }] }, expected);

    [Fact]
    public void Accepts_a_toleration_of_everything_and_a_timed_no_execute()
    {
        Assert.Empty(Errors(new AlbSpec
        {
            Tolerations =
            [
                new V1Toleration { OperatorProperty = "Exists" },
                new V1Toleration { Key = "node.kubernetes.io/unreachable", OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 30 },
            ],
        }));
    }

    [Fact]
    public void Names_the_index_of_the_bad_toleration() =>
        AssertError(new AlbSpec { Tolerations = [new V1Toleration { OperatorProperty = "Exists" }, new V1Toleration { Key = "k", OperatorProperty = "Nope" }] }, "spec.tolerations[1].operator: ");

    [Fact]
    public void Rejects_requests_above_limits() =>
        AssertError(
            new AlbSpec
            {
                Resources = new V1ResourceRequirements
                {
                    Requests = new Dictionary<string, ResourceQuantity> { ["memory"] = new("2Gi") },
                    Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("1Gi") },
                },
            },
            "spec.resources.requests.memory: must not exceed spec.resources.limits.memory");

    [Fact]
    public void Rejects_negative_quantities() =>
        AssertError(new AlbSpec { Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("-1") } } }, "spec.resources.limits.cpu: ");

    [Theory]
    [InlineData("lots")]
    [InlineData("1.5.5")]
    public void Unparseable_quantities_fail_reading_the_alb_with_the_value(string quantity)
    {
        // KubernetesClient parses quantities while reading, so these never reach validation.
        var json = """{"spec": {"resources": {"limits": {"cpu": "QUANTITY"}}}}""".Replace("QUANTITY", quantity, StringComparison.Ordinal);
        Assert.False(AlbJson.TryDeserialize(json, out _, out var error));
        Assert.Contains(quantity, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_resource_claims() =>
        AssertError(new AlbSpec { Resources = new V1ResourceRequirements { Claims = [new Corev1ResourceClaim { Name = "gpu" }] } }, "spec.resources.claims: ");

    [Theory]
    [InlineData("proxy body size")]
    [InlineData("a/b")]
    [InlineData("..")]
    public void Rejects_config_keys_a_config_map_cannot_hold(string key) =>
        AssertError(new AlbSpec { Config = new Dictionary<string, string> { [key] = "1" } }, "spec.config: ");

    [Theory]
    [InlineData("ExternalName")]
    [InlineData("loadbalancer")]
    [InlineData("")]
    public void Rejects_other_service_types(string type) =>
        AssertError(new AlbSpec { Service = new AlbServiceSpec { Type = type } }, "spec.service.type: ");

    [Fact]
    public void Rejects_an_unknown_traffic_policy() =>
        AssertError(new AlbSpec { Service = new AlbServiceSpec { ExternalTrafficPolicy = "Nearest" } }, "spec.service.externalTrafficPolicy: \"Nearest\" is not Cluster or Local");

    [Fact]
    public void Rejects_a_traffic_policy_on_a_cluster_ip_service() =>
        AssertError(new AlbSpec { Service = new AlbServiceSpec { Type = "ClusterIP", ExternalTrafficPolicy = "Local" } }, "spec.service.externalTrafficPolicy: is only allowed with type NodePort or LoadBalancer");

    [Fact]
    public void Rejects_bad_service_annotation_keys() =>
        AssertError(new AlbSpec { Service = new AlbServiceSpec { Annotations = new Dictionary<string, string> { ["no spaces"] = "x" } } }, "spec.service.annotations: ");

    [Fact]
    public void A_vip_needs_host_network() =>
        AssertError(TestAlbs.HostNetworkVip with { HostNetwork = false }, "spec.vip: needs spec.hostNetwork: true");

    [Theory]
    [InlineData(null, "spec.vip.address: is required")]
    [InlineData("192.0.2.300", "spec.vip.address: ")]
    [InlineData("192.0.2.1/33", "spec.vip.address: the prefix of \"192.0.2.1/33\" must be 1-32")]
    [InlineData("192.0.2.1/0", "spec.vip.address: ")]
    [InlineData("fe80::1%eth0", "spec.vip.address: ")]
    [InlineData("vip.example.com", "spec.vip.address: ")]
    public void Rejects_bad_vip_addresses(string? address, string expected) =>
        AssertError(TestAlbs.HostNetworkVip with { Vip = TestAlbs.HostNetworkVip.Vip! with { Address = address } }, expected);

    [Theory]
    [InlineData("192.0.2.1")]
    [InlineData("192.0.2.1/24")]
    [InlineData("2001:db8::10/64")]
    public void Accepts_vip_addresses(string address) =>
        Assert.Empty(Errors(TestAlbs.HostNetworkVip with { Vip = TestAlbs.HostNetworkVip.Vip! with { Address = address } }));

    [Theory]
    [InlineData(null, "spec.vip.interface: is required")]
    [InlineData("averyveryverylongname", "spec.vip.interface: ")]
    [InlineData("eth0/1", "spec.vip.interface: ")]
    [InlineData("eth 0", "spec.vip.interface: ")]
    [InlineData("eth0\"", "spec.vip.interface: ")]
    public void Rejects_bad_interfaces(string? name, string expected) =>
        AssertError(TestAlbs.HostNetworkVip with { Vip = TestAlbs.HostNetworkVip.Vip! with { Interface = name } }, expected);

    [Theory]
    [InlineData(null, "spec.vip.vrid: is required")]
    [InlineData(0, "spec.vip.vrid: must be in 1..255 (got 0)")]
    [InlineData(256, "spec.vip.vrid: must be in 1..255 (got 256)")]
    public void Rejects_vrids_outside_1_to_255(int? vrid, string expected) =>
        AssertError(TestAlbs.HostNetworkVip with { Vip = TestAlbs.HostNetworkVip.Vip! with { Vrid = vrid } }, expected);

    [Theory]
    [InlineData("fast")]
    [InlineData("1.5s")]
    [InlineData("5ms")]
    [InlineData("15ms")]
    [InlineData("41s")]
    [InlineData("0s")]
    public void Rejects_advert_intervals_vrrp_v3_cannot_carry(string interval) =>
        AssertError(TestAlbs.HostNetworkVip with { Vip = TestAlbs.HostNetworkVip.Vip! with { AdvertInterval = interval } }, "spec.vip.advertInterval: ");

    [Theory]
    [InlineData("10ms")]
    [InlineData("100ms")]
    [InlineData("1s")]
    [InlineData("40950ms")]
    public void Accepts_advert_intervals(string interval) =>
        Assert.Empty(Errors(TestAlbs.HostNetworkVip with { Vip = TestAlbs.HostNetworkVip.Vip! with { AdvertInterval = interval } }));

    [Fact]
    public void Rejects_a_bad_vipd_image() =>
        AssertError(TestAlbs.HostNetworkVip with { Vip = TestAlbs.HostNetworkVip.Vip! with { Image = "reg/vipd: 1" } }, "spec.vip.image: ");

    [Fact]
    public void Reports_every_error_not_only_the_first()
    {
        var errors = Errors(new AlbSpec
        {
            Replicas = 0,
            IngressClass = new AlbIngressClassSpec { Name = "Bad" },
            Service = new AlbServiceSpec { Type = "Magic" },
            Vip = new AlbVipSpec { Vrid = 300 },
        });

        Assert.Contains(errors, e => e.StartsWith("spec.replicas:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("spec.ingressClass.name:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("spec.service.type:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("spec.vip:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("spec.vip.address:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("spec.vip.interface:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("spec.vip.vrid:", StringComparison.Ordinal));
    }
}
