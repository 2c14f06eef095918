using System.Text.RegularExpressions;
using AlbOperator.Core.Schema;
using AlbOperator.Core.Validation;
using k8s;
using k8s.Models;

namespace AlbOperator.Core.Tests.Schema;

public class CrdTests
{
    private static readonly V1CustomResourceDefinition Definition = Crd.Build();

    private static V1CustomResourceDefinitionVersion Version => Assert.Single(Definition.Spec.Versions);

    private static V1JSONSchemaProps At(string path)
    {
        var node = Version.Schema.OpenAPIV3Schema;
        foreach (var part in path.Split('.'))
        {
            node = part == "[]" ? node.Items as V1JSONSchemaProps ?? throw new InvalidOperationException(path) : node.Properties[part];
        }

        return node;
    }

    [Fact]
    public void Defines_a_namespaced_alb_in_edge_io_v1alpha1()
    {
        Assert.Equal("albs.edge.io", Definition.Metadata.Name);
        Assert.Equal(("edge.io", "Namespaced"), (Definition.Spec.Group, Definition.Spec.Scope));
        Assert.Equal(("Alb", "AlbList", "albs", "alb"), (Definition.Spec.Names.Kind, Definition.Spec.Names.ListKind, Definition.Spec.Names.Plural, Definition.Spec.Names.Singular));
        Assert.Equal(("v1alpha1", true, true), (Version.Name, Version.Served, Version.Storage));
        Assert.NotNull(Version.Subresources.Status);
        Assert.Null(Version.Subresources.Scale);
    }

    [Fact]
    public void Prints_ready_replicas_and_age()
    {
        var columns = Version.AdditionalPrinterColumns.ToDictionary(c => c.Name);

        Assert.Equal((".status.readyReplicas", "integer"), (columns["Ready"].JsonPath, columns["Ready"].Type));
        Assert.Equal((".metadata.creationTimestamp", "date"), (columns["Age"].JsonPath, columns["Age"].Type));
        Assert.Equal(".spec.replicas", columns["Desired"].JsonPath);
        Assert.Equal(".spec.ingressClass.name", columns["Class"].JsonPath);
        Assert.Equal(".status.conditions[?(@.type==\"Available\")].status", columns["Available"].JsonPath);
    }

    [Fact]
    public void The_schema_states_the_same_defaults_as_the_operator()
    {
        var defaults = Defaults.Apply(null, "x");

        Assert.Equal(defaults.Replicas, At("spec.replicas").DefaultProperty);
        Assert.Equal(defaults.IngressClass!.Default, At("spec.ingressClass.default").DefaultProperty);
        Assert.Equal(defaults.HostNetwork, At("spec.hostNetwork").DefaultProperty);
        Assert.Equal(Defaults.AdvertInterval, At("spec.vip.advertInterval").DefaultProperty);
        // Empty objects default so that their members' defaults apply.
        Assert.NotNull(At("spec").DefaultProperty);
        Assert.NotNull(At("spec.ingressClass").DefaultProperty);
        Assert.NotNull(At("spec.service").DefaultProperty);
        Assert.Null(At("spec.vip").DefaultProperty);
    }

    [Fact]
    public void The_schema_bounds_what_validation_bounds()
    {
        Assert.Equal(1, At("spec.replicas").Minimum);
        Assert.Equal((1d, 255d), (At("spec.vip.vrid").Minimum!.Value, At("spec.vip.vrid").Maximum!.Value));
        Assert.Equal(["address", "interface", "vrid"], At("spec.vip").Required);
        Assert.Equal(["ClusterIP", "NodePort", "LoadBalancer"], At("spec.service.type").EnumProperty);
        Assert.Equal(["Cluster", "Local"], At("spec.service.externalTrafficPolicy").EnumProperty);
        Assert.Equal(["Exists", "Equal"], At("spec.tolerations.[].operator").EnumProperty);
        Assert.Equal(15, At("spec.vip.interface").MaxLength);
        Assert.Equal(253, At("spec.ingressClass.name").MaxLength);
        Assert.Equal("string", At("spec.config").AdditionalProperties is V1JSONSchemaProps { Type: var t } ? t : null);
    }

    [Theory]
    [InlineData("public", true)]
    [InlineData("public.edge", true)]
    [InlineData("Public", false)]
    [InlineData("-public", false)]
    [InlineData("public_x", false)]
    public void The_class_name_pattern_agrees_with_validation(string name, bool valid)
    {
        Assert.Equal(valid, Regex.IsMatch(name, At("spec.ingressClass.name").Pattern));
        Assert.Equal(valid, KubeNames.CheckSubdomain(name) is null);
    }

    [Theory]
    [InlineData("100ms", true)]
    [InlineData("1s", true)]
    [InlineData("1.5s", false)]
    [InlineData("fast", false)]
    public void The_advert_interval_pattern_agrees_with_validation(string interval, bool wellFormed)
    {
        Assert.Equal(wellFormed, Regex.IsMatch(interval, At("spec.vip.advertInterval").Pattern));
        Assert.Equal(wellFormed, AdvertInterval.TryParse(interval, out _));
    }

    [Fact]
    public void Conditions_are_a_map_keyed_by_type()
    {
        var conditions = At("status.conditions");

        Assert.Equal(("map", "type"), (conditions.XKubernetesListType, Assert.Single(conditions.XKubernetesListMapKeys)));
        Assert.Equal(["True", "False", "Unknown"], At("status.conditions.[].status").EnumProperty);
        Assert.Equal("date-time", At("status.conditions.[].lastTransitionTime").Format);
    }

    [Fact]
    public void The_schema_is_structural()
    {
        // Every node says its type (or is int-or-string); nothing is preserved unknown, so the API server prunes typos.
        static void Walk(V1JSONSchemaProps node, string path)
        {
            Assert.True(node.Type is not null || node.XKubernetesIntOrString == true, $"{path} has no type");
            Assert.NotEqual(true, node.XKubernetesPreserveUnknownFields);
            foreach (var (name, child) in node.Properties ?? new Dictionary<string, V1JSONSchemaProps>())
            {
                Walk(child, $"{path}.{name}");
            }

            if (node.Items is V1JSONSchemaProps items)
            {
                Walk(items, path + "[]");
            }

            if (node.AdditionalProperties is V1JSONSchemaProps values)
            {
                Walk(values, path + "{}");
            }
        }

        Walk(Version.Schema.OpenAPIV3Schema, "");
    }

    [Fact]
    public void The_yaml_reads_back_to_the_same_definition()
    {
        var yaml = Crd.RenderYaml();

        Assert.StartsWith("# The Alb CustomResourceDefinition", yaml, StringComparison.Ordinal);
        Assert.Equal(Crd.RenderJson(), KubernetesJson.Serialize(KubernetesYaml.Deserialize<V1CustomResourceDefinition>(yaml)));
    }
}
