using AlbOperator.Core.Model;
using k8s.Models;

namespace AlbOperator.Core.Validation;

/// <summary>
/// The defaults of <c>Alb.spec</c>, applied by the operator itself (the CRD schema states the same ones, but a spec
/// written before a default existed, or through a path that skips defaulting, must mean the same thing).
/// </summary>
public static class Defaults
{
    public const int Replicas = 3;
    public const string ServiceTypeClusterIp = "ClusterIP";
    public const string ServiceTypeNodePort = "NodePort";
    public const string ServiceTypeLoadBalancer = "LoadBalancer";
    public const string TrafficPolicyLocal = "Local";
    public const string TrafficPolicyCluster = "Cluster";
    public const string AdvertInterval = "1s";
    public const string CpuRequest = "100m";
    public const string MemoryRequest = "128Mi";

    /// <summary>
    /// The spec with every default filled: absent members get theirs, present ones are kept as written. Image and
    /// <c>vip.image</c> stay as written (absent: the operator's images, chosen in <see cref="Desired.DesiredStateOptions"/>).
    /// </summary>
    public static AlbSpec Apply(AlbSpec? spec, string albName)
    {
        spec ??= new AlbSpec();
        var hostNetwork = spec.HostNetwork ?? false;
        var serviceType = spec.Service?.Type ?? (hostNetwork ? ServiceTypeClusterIp : ServiceTypeLoadBalancer);
        var external = serviceType is ServiceTypeNodePort or ServiceTypeLoadBalancer;
        return spec with
        {
            Replicas = spec.Replicas ?? Replicas,
            IngressClass = new AlbIngressClassSpec
            {
                Name = spec.IngressClass?.Name ?? albName,
                Default = spec.IngressClass?.Default ?? false,
            },
            HostNetwork = hostNetwork,
            NodeSelector = spec.NodeSelector ?? new Dictionary<string, string>(),
            Tolerations = spec.Tolerations ?? [],
            Resources = spec.Resources ?? new V1ResourceRequirements
            {
                Requests = new Dictionary<string, ResourceQuantity>
                {
                    ["cpu"] = new(CpuRequest),
                    ["memory"] = new(MemoryRequest),
                },
            },
            Config = spec.Config ?? new Dictionary<string, string>(),
            Service = new AlbServiceSpec
            {
                Type = serviceType,
                Annotations = spec.Service?.Annotations ?? new Dictionary<string, string>(),
                ExternalTrafficPolicy = spec.Service?.ExternalTrafficPolicy ?? (external ? TrafficPolicyLocal : null),
            },
            Vip = spec.Vip is null ? null : spec.Vip with { AdvertInterval = spec.Vip.AdvertInterval ?? AdvertInterval },
        };
    }
}
