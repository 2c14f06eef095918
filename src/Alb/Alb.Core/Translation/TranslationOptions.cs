namespace Alb.Core.Translation;

/// <summary>What the command line says about which Ingresses are ours and where global settings live.</summary>
public sealed record TranslationOptions
{
    /// <summary>Our IngressClass controller name by default.</summary>
    public const string ControllerName = "edge.io/alb";

    /// <summary>
    /// <c>--controller-class</c>: IngressClasses whose <c>spec.controller</c> equals it are ours. <c>k8s.io/ingress-nginx</c>
    /// takes over the classes of an ingress-nginx installation unchanged.
    /// </summary>
    public string ControllerClass { get; init; } = ControllerName;

    public string IngressClass { get; init; } = "alb";

    public bool WatchIngressWithoutClass { get; init; }

    /// <summary><c>alb validate --all-classes</c>: every Ingress is translated whatever its class (a migration check of an exported cluster).</summary>
    public bool AllClasses { get; init; }

    /// <summary><c>alb serve --enable-ssl-passthrough</c>: the ssl-passthrough annotation takes effect (as ingress-nginx's flag).</summary>
    public bool EnableSslPassthrough { get; init; }

    /// <summary><c>namespace/name</c> of a TLS Secret served when no Ingress certificate matches.</summary>
    public string? DefaultSslCertificate { get; init; }

    /// <summary><c>namespace/name</c> of the ConfigMap holding global settings.</summary>
    public string? ConfigMap { get; init; }
}
