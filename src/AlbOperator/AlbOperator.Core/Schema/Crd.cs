using AlbOperator.Core.Model;
using AlbOperator.Core.Validation;
using k8s;
using k8s.Models;
using static AlbOperator.Core.Schema.SchemaProps;

namespace AlbOperator.Core.Schema;

/// <summary>
/// The <c>albs.edge.io</c> CustomResourceDefinition: namespaced, <c>v1alpha1</c>, a status subresource, printer
/// columns, and a structural schema with the same defaults and bounds as <see cref="Defaults"/> and
/// <see cref="AlbValidation"/> (which stay the authority: the operator applies defaults itself, and what a schema
/// cannot check, e.g. <c>spec.vip</c> needing <c>spec.hostNetwork</c>, only the operator finds and reports in
/// <c>Degraded</c>; no admission webhook checks an Alb).
/// <c>deploy/base/crd.yaml</c> is <see cref="RenderYaml"/>'s output; a test fails when they differ.
/// </summary>
public static class Crd
{
    public static V1CustomResourceDefinition Build() => new()
    {
        ApiVersion = "apiextensions.k8s.io/v1",
        Kind = "CustomResourceDefinition",
        Metadata = new V1ObjectMeta
        {
            Name = AlbApi.CrdName,
            Labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "alb-operator", ["app.kubernetes.io/part-of"] = "edge" },
        },
        Spec = new V1CustomResourceDefinitionSpec
        {
            Group = AlbApi.Group,
            Scope = "Namespaced",
            Names = new V1CustomResourceDefinitionNames
            {
                Kind = AlbApi.Kind,
                ListKind = AlbApi.ListKind,
                Plural = AlbApi.Plural,
                Singular = AlbApi.Singular,
                Categories = ["edge"],
            },
            Versions =
            [
                new V1CustomResourceDefinitionVersion
                {
                    Name = AlbApi.Version,
                    Served = true,
                    Storage = true,
                    Subresources = new V1CustomResourceSubresources { Status = new Dictionary<string, object>() },
                    AdditionalPrinterColumns =
                    [
                        Column("Class", "string", ".spec.ingressClass.name", "The IngressClass this Alb serves"),
                        Column("Desired", "integer", ".spec.replicas", "Replicas wanted"),
                        Column("Ready", "integer", ".status.readyReplicas", "Replicas ready"),
                        Column("Available", "string", ".status.conditions[?(@.type==\"Available\")].status", "Every replica ready"),
                        Column("Age", "date", ".metadata.creationTimestamp", null),
                    ],
                    Schema = new V1CustomResourceValidation { OpenAPIV3Schema = RootSchema() },
                },
            ],
        },
    };

    /// <summary>The YAML of <see cref="Build"/> as <c>alb-operator crd</c> prints it and <c>deploy/base/crd.yaml</c> holds it.</summary>
    public static string RenderYaml() =>
        "# The Alb CustomResourceDefinition, generated from AlbOperator.Core (Schema/Crd.cs): do not edit by hand.\n" +
        "# Regenerate: EDGE_UPDATE_GOLDEN=1 dotnet test tests/AlbOperator/AlbOperator.Core.Tests --filter Deploy_crd_is_the_rendered_crd\n" +
        KubernetesYaml.Serialize(Build()).ReplaceLineEndings("\n");

    public static string RenderJson() => KubernetesJson.Serialize(Build());

    private static V1CustomResourceColumnDefinition Column(string name, string type, string path, string? description) =>
        new() { Name = name, Type = type, JsonPath = path, Description = description };

    private static V1JSONSchemaProps RootSchema() => Object(
        "An Alb: a set of alb replicas serving one IngressClass, deployed and kept by alb-operator.",
        new()
        {
            ["apiVersion"] = new V1JSONSchemaProps { Type = "string" },
            ["kind"] = new V1JSONSchemaProps { Type = "string" },
            ["metadata"] = new V1JSONSchemaProps { Type = "object" },
            ["spec"] = SpecSchema(),
            ["status"] = StatusSchema(),
        });

    private static V1JSONSchemaProps SpecSchema() => Object(
        "The wanted state. Defaults are applied by the operator as well as by this schema.",
        new()
        {
            ["replicas"] = Integer("alb pods; one per node (anti-affinity).", minimum: 1, @default: Defaults.Replicas),
            ["image"] = String("The alb image. Default: the operator's --alb-image."),
            ["ingressClass"] = Object(
                "The IngressClass this Alb serves. Two Albs never serve the same class.",
                new()
                {
                    ["name"] = String("Default: the Alb's name.", pattern: SubdomainPattern, maxLength: 253),
                    ["default"] = Boolean("Mark the class as the cluster's default IngressClass.", @default: false),
                },
                @default: new Dictionary<string, object>()),
            ["hostNetwork"] = Boolean("Run alb on the node's network, listening on its ports 80 and 443.", @default: false),
            ["nodeSelector"] = StringMap("Node labels the alb (and vipd) pods need."),
            ["tolerations"] = Array("Taints the alb (and vipd) pods tolerate.", TolerationSchema(), listType: "atomic"),
            ["resources"] = Object(
                "Compute resources of the alb container. Default: requests cpu 100m, memory 128Mi.",
                new()
                {
                    ["limits"] = new V1JSONSchemaProps { Type = "object", AdditionalProperties = Quantity() },
                    ["requests"] = new V1JSONSchemaProps { Type = "object", AdditionalProperties = Quantity() },
                }),
            ["config"] = StringMap("ingress-nginx ConfigMap keys, written to the ConfigMap alb reads (--configmap)."),
            ["service"] = Object(
                "The Service in front of the alb pods (ports 80 and 443).",
                new()
                {
                    ["type"] = String("Default: ClusterIP with hostNetwork, LoadBalancer otherwise.", @enum: [Defaults.ServiceTypeClusterIp, Defaults.ServiceTypeNodePort, Defaults.ServiceTypeLoadBalancer]),
                    ["annotations"] = StringMap("Annotations of the Service (e.g. for a cloud load balancer)."),
                    ["externalTrafficPolicy"] = String("NodePort and LoadBalancer only. Default: Local (keeps the client address).", @enum: [Defaults.TrafficPolicyCluster, Defaults.TrafficPolicyLocal]),
                },
                @default: new Dictionary<string, object>()),
            ["vip"] = Object(
                "A virtual IP held by vipd (VRRP) on a node whose alb is ready. Needs hostNetwork.",
                new()
                {
                    ["address"] = String("ADDRESS[/PREFIX], e.g. 192.0.2.100/32.", maxLength: 64),
                    ["interface"] = String("The node interface that carries the VIP.", maxLength: 15),
                    ["vrid"] = Integer("The VRRP router id, unique on the segment.", minimum: 1, maximum: 255),
                    ["advertInterval"] = String("VRRPv3 advertisement interval, 10ms to 40950ms in steps of 10ms.", pattern: AdvertInterval.Pattern, @default: Defaults.AdvertInterval),
                    ["image"] = String("The vipd image. Default: the alb image's sibling named vipd."),
                },
                required: ["address", "interface", "vrid"]),
        },
        @default: new Dictionary<string, object>());

    private static V1JSONSchemaProps TolerationSchema() => Object(
        "A toleration, as in a pod spec.",
        new()
        {
            ["key"] = new V1JSONSchemaProps { Type = "string" },
            ["operator"] = new V1JSONSchemaProps { Type = "string", EnumProperty = ["Exists", "Equal"] },
            ["value"] = new V1JSONSchemaProps { Type = "string" },
            ["effect"] = new V1JSONSchemaProps { Type = "string", EnumProperty = ["NoSchedule", "PreferNoSchedule", "NoExecute"] },
            ["tolerationSeconds"] = new V1JSONSchemaProps { Type = "integer", Format = "int64" },
        });

    private static V1JSONSchemaProps StatusSchema() => Object(
        "What the operator observed. Written through the status subresource.",
        new()
        {
            ["observedGeneration"] = Integer("The generation this status describes.", format: "int64"),
            ["readyReplicas"] = Integer("alb pods ready.", minimum: 0),
            ["conditions"] = Array(
                "Available (every replica ready), Progressing (a rollout under way), Degraded (with a reason); always all three.",
                Object(
                    "A condition, as metav1.Condition.",
                    new()
                    {
                        ["type"] = new V1JSONSchemaProps { Type = "string", MaxLength = 316 },
                        ["status"] = new V1JSONSchemaProps { Type = "string", EnumProperty = ["True", "False", "Unknown"] },
                        ["reason"] = new V1JSONSchemaProps { Type = "string", MaxLength = 1024 },
                        ["message"] = new V1JSONSchemaProps { Type = "string", MaxLength = 32768 },
                        ["lastTransitionTime"] = new V1JSONSchemaProps { Type = "string", Format = "date-time" },
                        ["observedGeneration"] = new V1JSONSchemaProps { Type = "integer", Format = "int64", Minimum = 0 },
                    },
                    required: ["type", "status", "reason", "lastTransitionTime"]),
                listType: "map",
                mapKeys: ["type"]),
        });

    private const string SubdomainPattern = @"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
}
