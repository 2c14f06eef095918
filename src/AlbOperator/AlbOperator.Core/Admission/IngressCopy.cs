using k8s.Models;

namespace AlbOperator.Core.Admission;

/// <summary>Shallow copies of an Ingress with one metadata change; the object under review is never modified.</summary>
internal static class IngressCopy
{
    public static V1Ingress WithMetadata(V1Ingress ingress, Action<V1ObjectMeta> change)
    {
        var meta = ingress.Metadata ?? new V1ObjectMeta();
        var copy = new V1ObjectMeta
        {
            Name = meta.Name,
            GenerateName = meta.GenerateName,
            NamespaceProperty = meta.NamespaceProperty,
            Uid = meta.Uid,
            ResourceVersion = meta.ResourceVersion,
            Generation = meta.Generation,
            CreationTimestamp = meta.CreationTimestamp,
            DeletionTimestamp = meta.DeletionTimestamp,
            Labels = meta.Labels,
            Annotations = meta.Annotations,
        };
        change(copy);
        return new V1Ingress { ApiVersion = ingress.ApiVersion, Kind = ingress.Kind, Metadata = copy, Spec = ingress.Spec, Status = ingress.Status };
    }

    public static V1Ingress WithoutAnnotation(V1Ingress ingress, string key) =>
        WithMetadata(ingress, m => m.Annotations = m.Annotations?.Where(a => a.Key != key).ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal));
}
