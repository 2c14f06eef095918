using k8s;
using k8s.Models;

namespace Alb.Core.Snapshot;

/// <summary>How objects are named in diagnostics and logs: <c>Kind ns/name</c>.</summary>
public static class ObjectNames
{
    public static string Of(string kind, string? ns, string? name) =>
        ns is null ? $"{kind} {name}" : $"{kind} {ns}/{name}";

    public static string Of(V1Ingress ingress) => Of("Ingress", Ns(ingress.Metadata), ingress.Metadata?.Name);

    public static string Of<T>(T obj)
        where T : IKubernetesObject<V1ObjectMeta> =>
        Of(obj.Kind ?? typeof(T).Name.TrimStart('V', '1'), Ns(obj.Metadata), obj.Metadata?.Name);

    /// <summary><c>namespace/name</c> split at the first slash; a bare name is in <c>default</c>.</summary>
    public static (string Namespace, string Name) SplitRef(string reference)
    {
        var slash = reference.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? ("default", reference) : (reference[..slash], reference[(slash + 1)..]);
    }

    public static string Ns(V1ObjectMeta? meta) => string.IsNullOrEmpty(meta?.NamespaceProperty) ? "default" : meta.NamespaceProperty;
}
