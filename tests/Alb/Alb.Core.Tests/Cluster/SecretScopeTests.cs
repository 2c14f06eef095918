using Alb.Core.Cluster;
using Alb.Core.Translation;
using k8s.Models;
using Xunit;

namespace Alb.Core.Tests.Cluster;

public sealed class SecretScopeTests
{
    private static V1Ingress Ingress(string ns, string? className, params (string Key, string Value)[] annotations) => new()
    {
        Metadata = new V1ObjectMeta { Name = "i", NamespaceProperty = ns, Annotations = annotations.ToDictionary(a => a.Key, a => a.Value) },
        Spec = new V1IngressSpec { IngressClassName = className },
    };

    [Fact]
    public void Our_ingresses_their_cross_namespace_references_and_the_default_certificate_name_the_namespaces()
    {
        var namespaces = SecretScope.Namespaces(
            [
                Ingress("shop", "alb", ("nginx.ingress.kubernetes.io/auth-secret", "auth/htpasswd"), ("nginx.ingress.kubernetes.io/auth-tls-secret", "pki/ca")),
                Ingress("api", "alb", ("alb.edge.io/auth-jwt-jwks-secret", "keys/jwks"), ("nginx.ingress.kubernetes.io/proxy-ssl-secret", "local-name")),
                Ingress("other", "nginx", ("nginx.ingress.kubernetes.io/auth-secret", "secrets/never")),
                Ingress("web", "alb", ("nginx.ingress.kubernetes.io/rewrite-target", "x/y")),
            ],
            [], new TranslationOptions { DefaultSslCertificate = "ingress/default-cert" });
        Assert.Equal(["api", "auth", "ingress", "keys", "pki", "shop", "web"], namespaces);
    }
}
