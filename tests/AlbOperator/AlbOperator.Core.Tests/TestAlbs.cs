using AlbOperator.Core.Desired;
using AlbOperator.Core.Model;
using k8s.Models;

namespace AlbOperator.Core.Tests;

/// <summary>Alb objects for tests, as the API server would hand them over.</summary>
internal static class TestAlbs
{
    public static readonly DesiredStateOptions Options = new() { AlbImage = "registry.example.com/edge/alb:1.0" };

    public static AlbResource Alb(AlbSpec? spec = null, string name = "web", string ns = "edge", long generation = 1) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = ns,
            Uid = $"uid-{ns}-{name}",
            Generation = generation,
        },
        Spec = spec ?? new AlbSpec(),
    };

    public static AlbSpec HostNetworkVip => new()
    {
        HostNetwork = true,
        NodeSelector = new Dictionary<string, string> { ["node-role.kubernetes.io/ingress"] = "" },
        Tolerations = [new V1Toleration { Key = "node-role.kubernetes.io/ingress", OperatorProperty = "Exists", Effect = "NoSchedule" }],
        Vip = new AlbVipSpec { Address = "192.0.2.100/32", Interface = "eth0", Vrid = 51, AdvertInterval = "100ms" },
    };

    public static DesiredState Desired(AlbSpec? spec = null, string name = "web", string ns = "edge") =>
        DesiredState.For(Alb(spec, name, ns), Options);
}
