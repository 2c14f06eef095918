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

    public static string Ns(V1ObjectMeta? meta) => string.IsNullOrEmpty(meta?.NamespaceProperty) ? "default" : meta.NamespaceProperty;
}
