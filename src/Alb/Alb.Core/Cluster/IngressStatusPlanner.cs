using Alb.Core.Translation;
using k8s.Models;

namespace Alb.Core.Cluster;

/// <summary>One status write: the Ingress and the list its <c>status.loadBalancer.ingress</c> must become.</summary>
public sealed record StatusWrite(V1Ingress Ingress, IReadOnlyList<V1IngressLoadBalancerIngress> Addresses)
{
    /// <summary>
    /// The merge patch for the status subresource: the whole list (a merge patch replaces an array), and the
    /// resourceVersion the plan was made from as a precondition. When the Ingress changed since (another controller
    /// added its entry), the API server answers 409 instead of letting this list drop that entry; the change reaches
    /// the informer, and the next plan starts from it.
    /// </summary>
    public string Patch() => k8s.KubernetesJson.Serialize(new V1Ingress
    {
        Metadata = new V1ObjectMeta { ResourceVersion = Ingress.Metadata?.ResourceVersion },
        Status = new V1IngressStatus { LoadBalancer = new V1IngressLoadBalancerStatus { Ingress = [.. Addresses] } },
    });
}

/// <summary>
/// Which Ingresses need a status write, and what: an Ingress of ours gets exactly our addresses (as ingress-nginx
/// writes them); an Ingress that is not ours (any more) loses our addresses and keeps any other controller's. Only
/// Ingresses whose list would change are returned.
/// </summary>
public static class IngressStatusPlanner
{
    public static IReadOnlyList<StatusWrite> Plan(IEnumerable<V1Ingress> ingresses, IEnumerable<V1IngressClass> classes, TranslationOptions options, IReadOnlyList<V1IngressLoadBalancerIngress> ours)
    {
        var writeFor = Planner(classes, options, ours);
        return InOrder(ingresses.Select(writeFor));
    }

    /// <summary>The write one Ingress needs (null: none), for these IngressClasses, options and addresses of ours.</summary>
    public static Func<V1Ingress, StatusWrite?> Planner(IEnumerable<V1IngressClass> classes, TranslationOptions options, IReadOnlyList<V1IngressLoadBalancerIngress> ours)
    {
        var filter = new IngressClassFilter(classes, options);
        var ourKeys = StatusAddresses.Keys(ours).ToHashSet(StringComparer.Ordinal);
        return ingress =>
        {
            var current = ingress.Status?.LoadBalancer?.Ingress ?? [];
            IReadOnlyList<V1IngressLoadBalancerIngress> desired = filter.Accepts(ingress)
                ? ours
                : [.. current.Where(e => !ourKeys.Contains($"{e.Ip}|{e.Hostname}"))];
            return StatusAddresses.Same(current, desired) ? null : new StatusWrite(ingress, desired);
        };
    }

    /// <summary>
    /// The writes in namespace/name order. Only the writes are sorted: the leader plans on every change, and sorting
    /// all 10,000 Ingresses (names compared, mostly) was a tenth of a change's CPU.
    /// </summary>
    public static IReadOnlyList<StatusWrite> InOrder(IEnumerable<StatusWrite?> writes) =>
        [.. writes.OfType<StatusWrite>().OrderBy(w => w.Ingress.Metadata?.NamespaceProperty, StringComparer.Ordinal).ThenBy(w => w.Ingress.Metadata?.Name, StringComparer.Ordinal)];
}
