using Alb.Core.Translation;
using k8s.Models;

namespace Alb.Core.Cluster;

/// <summary>
/// The namespaces whose Secrets alb reads from a cluster: those of our Ingresses (their <c>spec.tls</c> and
/// same-namespace annotation references), the namespaces named by <c>namespace/name</c> values of the Secret-bearing
/// annotations, and the default certificate's. Secrets of other namespaces are never listed.
/// </summary>
public static class SecretScope
{
    private static readonly string[] SecretAnnotations = ["auth-secret", "auth-tls-secret", "proxy-ssl-secret"];
    private static readonly string[] SecretAnnotationPrefixes = ["nginx.ingress.kubernetes.io/", "alb.edge.io/"];
    private const string JwksSecret = "alb.edge.io/auth-jwt-jwks-secret";

    public static IReadOnlySet<string> Namespaces(IEnumerable<V1Ingress> ingresses, IEnumerable<V1IngressClass> classes, TranslationOptions options)
    {
        var filter = new IngressClassFilter(classes, options);
        return Namespaces(ingresses.Where(filter.Accepts).Select(Of), options);
    }

    /// <summary>The namespaces of <paramref name="each"/> (<see cref="Of"/> of every Ingress of ours), with the default certificate's.</summary>
    public static IReadOnlySet<string> Namespaces(IEnumerable<string[]> each, TranslationOptions options)
    {
        var namespaces = new HashSet<string>(StringComparer.Ordinal); // few distinct: sorted once at the end
        if (Namespace(options.DefaultSslCertificate) is { } defaultCertificate)
        {
            namespaces.Add(defaultCertificate);
        }

        foreach (var names in each)
        {
            foreach (var name in names)
            {
                namespaces.Add(name);
            }
        }

        return new SortedSet<string>(namespaces, StringComparer.Ordinal);
    }

    /// <summary>The namespaces one Ingress of ours reads Secrets from: its own, and those its Secret-bearing annotations name.</summary>
    public static string[] Of(V1Ingress ingress)
    {
        var own = ingress.Metadata.NamespaceProperty ?? "default";
        List<string>? more = null;
        foreach (var (key, value) in ingress.Metadata.Annotations ?? new Dictionary<string, string>())
        {
            if (IsSecretAnnotation(key) && Namespace(value) is { } other && other != own)
            {
                (more ??= []).Add(other);
            }
        }

        return more is null ? [own] : [own, .. more];
    }

    private static bool IsSecretAnnotation(string key)
    {
        if (key == JwksSecret)
        {
            return true;
        }

        foreach (var prefix in SecretAnnotationPrefixes)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var name in SecretAnnotations)
            {
                if (key.AsSpan(prefix.Length).SequenceEqual(name))
                {
                    return true; // compared in place: no name cut out of every annotation key of every Ingress
                }
            }
        }

        return false;
    }

    private static string? Namespace(string? reference) =>
        reference?.Trim() is { } r && r.IndexOf('/', StringComparison.Ordinal) is > 0 and var slash && slash < r.Length - 1 ? r[..slash] : null;
}
