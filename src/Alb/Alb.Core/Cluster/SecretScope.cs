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
        var namespaces = new SortedSet<string>(StringComparer.Ordinal);
        if (Namespace(options.DefaultSslCertificate) is { } defaultCertificate)
        {
            namespaces.Add(defaultCertificate);
        }

        foreach (var ingress in ingresses.Where(filter.Accepts))
        {
            namespaces.Add(ingress.Metadata.NamespaceProperty ?? "default");
            foreach (var (key, value) in ingress.Metadata.Annotations ?? new Dictionary<string, string>())
            {
                if ((key == JwksSecret || SecretAnnotationPrefixes.Any(p => key.StartsWith(p, StringComparison.Ordinal) && SecretAnnotations.Contains(key[p.Length..])))
                    && Namespace(value) is { } other)
                {
                    namespaces.Add(other);
                }
            }
        }

        return namespaces;
    }

    private static string? Namespace(string? reference) =>
        reference?.Trim() is { } r && r.IndexOf('/', StringComparison.Ordinal) is > 0 and var slash && slash < r.Length - 1 ? r[..slash] : null;
}
