using AlbOperator.Core.Model;
using k8s.Models;

namespace AlbOperator.Core.Desired;

/// <summary>The one label set every object of an Alb carries, and the metadata built from it.</summary>
public static class AlbLabels
{
    public const string Name = "app.kubernetes.io/name";
    public const string Instance = "app.kubernetes.io/instance";
    public const string ManagedBy = "app.kubernetes.io/managed-by";
    public const string Component = "app.kubernetes.io/component";
    public const string AppName = "alb";
    public const string Manager = "alb-operator";
    public const string AlbComponent = "alb";
    public const string VipdComponent = "vipd";

    /// <summary>
    /// <c>app.kubernetes.io/{name,instance,managed-by,component}</c> plus the owner labels
    /// <c>edge.io/alb-namespace</c> and <c>edge.io/alb-name</c>, which find the cluster-scoped objects (no owner
    /// reference can) and every other object of this Alb with one selector.
    /// </summary>
    public static Dictionary<string, string> For(AlbNames names, string component = AlbComponent) => new()
    {
        [Name] = AppName,
        [Instance] = names.Name,
        [ManagedBy] = Manager,
        [Component] = component,
        [AlbApi.AlbNamespaceLabel] = names.Namespace,
        [AlbApi.AlbNameLabel] = names.Name,
    };

    /// <summary>The pod selector of a workload: name, instance and component (immutable once created).</summary>
    public static Dictionary<string, string> Selector(AlbNames names, string component) => new()
    {
        [Name] = AppName,
        [Instance] = names.Name,
        [Component] = component,
    };

    /// <summary>The label selector (as text) of everything made for one Alb, cluster-scoped objects included.</summary>
    public static string OwnerSelector(AlbNames names) =>
        $"{ManagedBy}={Manager},{AlbApi.AlbNamespaceLabel}={names.Namespace},{AlbApi.AlbNameLabel}={names.Name}";

    internal static V1ObjectMeta Meta(AlbResource alb, AlbNames names, string name, bool namespaced, string component = AlbComponent,
        IEnumerable<KeyValuePair<string, string>>? annotations = null) => new()
    {
        Name = name,
        NamespaceProperty = namespaced ? names.Namespace : null,
        Labels = For(names, component),
        Annotations = annotations is null ? null : Sorted(annotations),
        OwnerReferences = namespaced ? [Owner(alb)] : null,
    };

    /// <summary>The controller reference to the Alb: garbage collection deletes namespaced objects with it.</summary>
    public static V1OwnerReference Owner(AlbResource alb) => new()
    {
        ApiVersion = AlbApi.ApiVersion,
        Kind = AlbApi.Kind,
        Name = alb.Metadata.Name,
        Uid = alb.Metadata.Uid,
        Controller = true,
        BlockOwnerDeletion = true,
    };

    /// <summary>A copy in ordinal key order, so the serialized form (and its hash) does not depend on input order.</summary>
    internal static Dictionary<string, string> Sorted(IEnumerable<KeyValuePair<string, string>>? values)
    {
        var sorted = new Dictionary<string, string>();
        foreach (var (key, value) in (values ?? []).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            sorted[key] = value;
        }

        return sorted;
    }
}
