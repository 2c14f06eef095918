using k8s;
using k8s.Models;

namespace AlbOperator.Core.Desired;

/// <summary>Identifies an object across versions of its API: group, kind, namespace (null when cluster-scoped), name.</summary>
public sealed record ObjectKey(string Group, string Kind, string? Namespace, string Name)
{
    public static ObjectKey Of(string apiVersion, string kind, string? @namespace, string name) =>
        new(GroupOf(apiVersion), kind, string.IsNullOrEmpty(@namespace) ? null : @namespace, name);

    public static string GroupOf(string apiVersion)
    {
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? "" : apiVersion[..slash];
    }

    public override string ToString() => Namespace is null ? $"{Kind} {Name}" : $"{Kind} {Namespace}/{Name}";
}

/// <summary>
/// One object to apply: its content (the <c>edge.io/desired-hash</c> annotation already set to <see cref="Hash"/>,
/// the hash of everything else in it).
/// </summary>
public sealed record DesiredObject(IKubernetesObject<V1ObjectMeta> Object, string Hash)
{
    public string ApiVersion => Object.ApiVersion;

    public string Kind => Object.Kind;

    public string Name => Object.Metadata.Name;

    public string? Namespace => Object.Metadata.NamespaceProperty;

    /// <summary>Cluster-scoped: no owner reference; found by its owner labels and removed by the finalizer.</summary>
    public bool ClusterScoped => Namespace is null;

    public ObjectKey Key => ObjectKey.Of(ApiVersion, Kind, Namespace, Name);

    public override string ToString() => $"{Key} ({Hash})";
}
