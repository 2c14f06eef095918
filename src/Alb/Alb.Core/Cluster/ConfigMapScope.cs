using Alb.Core.Annotations;
using Alb.Core.Snapshot;
using Alb.Core.Translation;
using k8s.Models;

namespace Alb.Core.Cluster;

/// <summary>
/// The ConfigMaps alb reads from a cluster besides the <c>--configmap</c> one: those our Ingresses name in
/// <c>custom-headers</c> and <c>auth-proxy-set-headers</c>, as <c>namespace/name</c> keys resolved the way translation
/// resolves them (a bare name is in the Ingress's namespace). No other annotation, and no key of the global ConfigMap,
/// names a ConfigMap alb honours. A reference translation refuses before any lookup (characters outside its validator,
/// too many slashes) is left out, and so is a name no Kubernetes object can have. A cross-namespace name is kept:
/// translation decides whether to use it, so reading it changes nothing; never reading it could.
/// </summary>
public static class ConfigMapScope
{
    private const string CustomHeaders = AnnotationCatalog.Prefix + "custom-headers";
    private const string AuthProxySetHeaders = AnnotationCatalog.Prefix + "auth-proxy-set-headers";

    public static IReadOnlySet<string> References(IEnumerable<V1Ingress> ingresses, IEnumerable<V1IngressClass> classes, TranslationOptions options)
    {
        var filter = new IngressClassFilter(classes, options);
        var references = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var ingress in ingresses.Where(filter.Accepts))
        {
            references.UnionWith(Of(ingress));
        }

        return references;
    }

    /// <summary>The ConfigMaps (<c>namespace/name</c>) one Ingress of ours names in custom-headers and auth-proxy-set-headers.</summary>
    public static string[] Of(V1Ingress ingress)
    {
        if (ingress.Metadata.Annotations is not { } annotations)
        {
            return [];
        }

        var ns = ObjectNames.Ns(ingress.Metadata);
        var custom = annotations.TryGetValue(CustomHeaders, out var c) ? Resolve(c, ns, firstSlashOnly: true) : null;
        var auth = annotations.TryGetValue(AuthProxySetHeaders, out var a) ? Resolve(a, ns, firstSlashOnly: false) : null;
        return (custom, auth) switch
        {
            (null, null) => [],
            ({ } first, { } second) => [first, second],
            _ => [custom ?? auth!],
        };
    }

    /// <summary>
    /// <c>name</c> or <c>namespace/name</c> as <see cref="ClusterSnapshot.Key"/> gives it. custom-headers splits at the
    /// first slash; auth-proxy-set-headers takes exactly one or two parts (as their parsers do).
    /// </summary>
    private static string? Resolve(string? value, string ingressNamespace, bool firstSlashOnly)
    {
        var reference = value?.Trim();
        if (string.IsNullOrEmpty(reference) || !Validators.IsBasic(reference))
        {
            return null;
        }

        var slash = reference.IndexOf('/', StringComparison.Ordinal);
        if (!firstSlashOnly && slash >= 0 && reference.IndexOf('/', slash + 1) >= 0)
        {
            return null;
        }

        var (ns, name) = slash < 0 ? (ingressNamespace, reference) : (reference[..slash], reference[(slash + 1)..]);
        return IsObjectName(ns) && IsObjectName(name) ? ClusterSnapshot.Key(ns, name) : null;
    }

    /// <summary>A DNS-1123 subdomain, which every ConfigMap and namespace name is: anything else can never be found.</summary>
    private static bool IsObjectName(string name) =>
        name.Length is > 0 and <= 253
        && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.')
        && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1]);
}
