using System.Text.Json.Serialization;
using k8s.Models;

namespace AlbOperator.Core.Model;

/// <summary>
/// <c>Alb.spec</c> as written by the user: every member may be absent. <see cref="Validation.Defaults.Apply"/> fills the
/// defaults; the operator never relies on the API server's schema defaulting. Equality of specs is not used to
/// decide "nothing changed": the hash of the desired objects is (<see cref="Desired.DesiredState.Hash"/>).
/// </summary>
public sealed record AlbSpec
{
    [JsonPropertyName("replicas")]
    public int? Replicas { get; init; }

    /// <summary>The alb image; absent: the operator's <c>--alb-image</c>.</summary>
    [JsonPropertyName("image")]
    public string? Image { get; init; }

    [JsonPropertyName("ingressClass")]
    public AlbIngressClassSpec? IngressClass { get; init; }

    [JsonPropertyName("hostNetwork")]
    public bool? HostNetwork { get; init; }

    [JsonPropertyName("nodeSelector")]
    public IReadOnlyDictionary<string, string>? NodeSelector { get; init; }

    [JsonPropertyName("tolerations")]
    public IReadOnlyList<V1Toleration>? Tolerations { get; init; }

    [JsonPropertyName("resources")]
    public V1ResourceRequirements? Resources { get; init; }

    /// <summary>ingress-nginx ConfigMap keys, written to the ConfigMap alb reads through <c>--configmap</c>.</summary>
    [JsonPropertyName("config")]
    public IReadOnlyDictionary<string, string>? Config { get; init; }

    [JsonPropertyName("service")]
    public AlbServiceSpec? Service { get; init; }

    /// <summary>A virtual IP held by vipd on the Alb's nodes; absent: no VIP.</summary>
    [JsonPropertyName("vip")]
    public AlbVipSpec? Vip { get; init; }
}

/// <summary><c>spec.ingressClass</c>: the IngressClass this Alb serves.</summary>
public sealed record AlbIngressClassSpec
{
    /// <summary>Absent: the Alb's name.</summary>
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    /// <summary>Marks the class as the cluster's default (<c>ingressclass.kubernetes.io/is-default-class</c>).</summary>
    [JsonPropertyName("default")]
    public bool? Default { get; init; }
}

/// <summary><c>spec.service</c>: the Service in front of the alb pods.</summary>
public sealed record AlbServiceSpec
{
    /// <summary><c>ClusterIP</c>, <c>NodePort</c> or <c>LoadBalancer</c>; absent: ClusterIP with hostNetwork, else LoadBalancer.</summary>
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("annotations")]
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    /// <summary><c>Cluster</c> or <c>Local</c>; only for NodePort and LoadBalancer (absent there: Local).</summary>
    [JsonPropertyName("externalTrafficPolicy")]
    public string? ExternalTrafficPolicy { get; init; }
}

/// <summary><c>spec.vip</c>: the VRRP virtual IP vipd holds on a node whose alb is ready.</summary>
public sealed record AlbVipSpec
{
    /// <summary><c>ADDRESS[/PREFIX]</c>, e.g. <c>192.0.2.100/32</c>.</summary>
    [JsonPropertyName("address")]
    public string? Address { get; init; }

    /// <summary>The node interface that carries the VIP, e.g. <c>eth0</c>.</summary>
    [JsonPropertyName("interface")]
    public string? Interface { get; init; }

    /// <summary>The VRRP group id, 1-255, unique on the segment.</summary>
    [JsonPropertyName("vrid")]
    public int? Vrid { get; init; }

    /// <summary>A vipd duration (<c>100ms</c>, <c>1s</c>); absent: 1s.</summary>
    [JsonPropertyName("advertInterval")]
    public string? AdvertInterval { get; init; }

    /// <summary>The vipd image; absent: the operator's default.</summary>
    [JsonPropertyName("image")]
    public string? Image { get; init; }
}
