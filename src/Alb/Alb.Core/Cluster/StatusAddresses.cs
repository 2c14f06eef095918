using System.Net;
using k8s.Models;

namespace Alb.Core.Cluster;

/// <summary>
/// The addresses written into <c>status.loadBalancer.ingress</c> of our Ingresses, with ingress-nginx's precedence:
/// <c>--publish-status-address</c>, else the <c>--publish-service</c> Service by its type, else the nodes of the
/// ready, running alb Pods. Sorted and without duplicates, so equal lists mean "nothing to write".
/// </summary>
public static class StatusAddresses
{
    /// <summary>From <c>--publish-status-address a,b</c>: an IP literal is an ip entry, anything else a hostname.</summary>
    public static IReadOnlyList<V1IngressLoadBalancerIngress> FromStatic(IEnumerable<string> addresses) => Entries(addresses);

    /// <summary>
    /// From the published Service: LoadBalancer → its load balancer's IPs/hostnames and its external IPs; NodePort →
    /// its external IPs, else its cluster IP; ClusterIP → its cluster IP; ExternalName → the name as a hostname.
    /// </summary>
    public static IReadOnlyList<V1IngressLoadBalancerIngress> FromService(V1Service service)
    {
        var spec = service.Spec ?? new V1ServiceSpec();
        var external = spec.ExternalIPs ?? [];
        IEnumerable<string?> addresses = spec.Type switch
        {
            "LoadBalancer" => (service.Status?.LoadBalancer?.Ingress ?? []).Select(i => string.IsNullOrEmpty(i.Ip) ? i.Hostname : i.Ip).Concat(external),
            "NodePort" => external.Count > 0 ? external : [spec.ClusterIP],
            "ExternalName" => [spec.ExternalName],
            _ => [spec.ClusterIP],
        };
        return Entries(addresses.Where(a => !string.IsNullOrEmpty(a) && a != "None")!);
    }

    /// <summary>The nodes of the given Pods that are Running and Ready: each node's ExternalIP, else its InternalIP (or only InternalIPs when asked).</summary>
    public static IReadOnlyList<V1IngressLoadBalancerIngress> FromPods(IEnumerable<V1Pod> pods, IEnumerable<V1Node> nodes, bool internalIps = false)
    {
        var byName = nodes.Where(n => n.Metadata?.Name is not null).ToDictionary(n => n.Metadata.Name, StringComparer.Ordinal);
        var addresses = new List<string>();
        foreach (var pod in pods)
        {
            if (pod.Status?.Phase != "Running" || pod.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") != true
                || pod.Metadata?.DeletionTimestamp is not null || pod.Spec?.NodeName is not { } nodeName || !byName.TryGetValue(nodeName, out var node))
            {
                continue;
            }

            var nodeAddresses = node.Status?.Addresses ?? [];
            var chosen = (internalIps ? null : nodeAddresses.FirstOrDefault(a => a.Type == "ExternalIP")) ?? nodeAddresses.FirstOrDefault(a => a.Type == "InternalIP");
            if (chosen?.Address is { Length: > 0 } address)
            {
                addresses.Add(address);
            }
        }

        return Entries(addresses);
    }

    /// <summary>Sorted (IPs first, then hostnames, ordinally) and deduplicated entries.</summary>
    public static IReadOnlyList<V1IngressLoadBalancerIngress> Entries(IEnumerable<string> addresses) =>
        [.. addresses.Select(a => a.Trim()).Where(a => a.Length > 0).Distinct(StringComparer.Ordinal)
            .Select(a => IPAddress.TryParse(a, out _) ? new V1IngressLoadBalancerIngress { Ip = a } : new V1IngressLoadBalancerIngress { Hostname = a })
            .OrderBy(e => e.Ip is null ? 1 : 0).ThenBy(e => e.Ip ?? e.Hostname, StringComparer.Ordinal)];

    /// <summary>Order-insensitive equality of two status lists, by IP and hostname.</summary>
    public static bool Same(IEnumerable<V1IngressLoadBalancerIngress>? a, IEnumerable<V1IngressLoadBalancerIngress>? b) =>
        Keys(a).SequenceEqual(Keys(b), StringComparer.Ordinal);

    internal static IEnumerable<string> Keys(IEnumerable<V1IngressLoadBalancerIngress>? entries) =>
        (entries ?? []).Select(e => $"{e.Ip}|{e.Hostname}").Order(StringComparer.Ordinal);
}
