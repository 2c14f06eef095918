using k8s.Models;

namespace Alb.Core.Translation;

/// <summary>ingress-nginx's order: oldest first (creationTimestamp), then namespace/name. No timestamp sorts as newest.</summary>
internal static class IngressOrder
{
    public static IEnumerable<V1Ingress> Sort(IEnumerable<V1Ingress> ingresses) =>
        ingresses
            .OrderBy(i => i.Metadata.CreationTimestamp ?? DateTime.MaxValue)
            .ThenBy(i => i.Metadata.NamespaceProperty, StringComparer.Ordinal)
            .ThenBy(i => i.Metadata.Name, StringComparer.Ordinal);
}
