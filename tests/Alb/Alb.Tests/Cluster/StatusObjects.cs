using Edge.Testing.KubeApi;
using k8s.Models;

namespace Alb.Tests.Cluster;

/// <summary>What the Ingress status tests put in the cluster (Nodes, alb Pods, IngressClasses) and how they read status back.</summary>
internal static class StatusObjects
{
    public static V1Node Node(string name, params (string Type, string Address)[] addresses) => new()
    {
        ApiVersion = "v1",
        Kind = "Node",
        Metadata = new V1ObjectMeta { Name = name },
        Status = new V1NodeStatus { Addresses = [.. addresses.Select(a => new V1NodeAddress { Type = a.Type, Address = a.Address })] },
    };

    /// <summary>A Pod labelled <c>app=<paramref name="app"/></c> on <paramref name="node"/>, Running, and Ready unless told otherwise.</summary>
    public static V1Pod Pod(string name, string node, string app = "alb", bool ready = true) => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Labels = new Dictionary<string, string> { ["app"] = app } },
        Spec = new V1PodSpec { NodeName = node, Containers = [new V1Container { Name = "alb", Image = "alb" }] },
        Status = new V1PodStatus { Phase = "Running", Conditions = [new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False" }] },
    };

    public static V1IngressClass IngressClass(string name, string controller) => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "IngressClass",
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1IngressClassSpec { Controller = controller },
    };

    /// <summary>The Ingress's <c>status.loadBalancer.ingress</c> as stored, e.g. <c>ip=192.0.2.1,hostname=lb.example.com</c>; empty when none.</summary>
    public static string Status(TestApiServer api, string ingress) =>
        string.Join(",", (api.Objects.Get<V1Ingress>("default", ingress)?.Status?.LoadBalancer?.Ingress ?? [])
            .Select(e => e.Ip is not null ? "ip=" + e.Ip : "hostname=" + e.Hostname));

    /// <summary>Requests for Pods or Nodes, any verb.</summary>
    public static IReadOnlyList<RequestInfo> PodAndNodeRequests(TestApiServer api, long after = 0) =>
        api.Requests.Where(r => r.Sequence > after && r.Resource is "pods" or "nodes");
}
