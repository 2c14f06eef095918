using Alb.Core.Snapshot;
using k8s.Models;

namespace AlbOperator.Core.Admission;

/// <summary>
/// alb's (and ingress-nginx's) order of Ingresses: oldest <c>creationTimestamp</c> first, then namespace, then name; no
/// timestamp sorts as newest. Only used to choose the oldest Ingresses of a bucket: alb's translation orders them itself.
/// </summary>
internal static class IngressAge
{
    public static (string Namespace, string Name) Key(V1Ingress ingress) =>
        (ObjectNames.Ns(ingress.Metadata), ingress.Metadata?.Name ?? "");

    public static List<V1Ingress> OldestFirst(IEnumerable<V1Ingress> ingresses) =>
        [.. ingresses
            .Where(i => i?.Metadata is not null)
            .OrderBy(i => i.Metadata.CreationTimestamp ?? DateTime.MaxValue)
            .ThenBy(i => i.Metadata.NamespaceProperty, StringComparer.Ordinal)
            .ThenBy(i => i.Metadata.Name, StringComparer.Ordinal)];
}
