namespace Alb.Core.Routing;

/// <summary>Global settings from the ConfigMap named by <c>--configmap</c>, with ingress-nginx's keys and defaults.</summary>
public sealed record GlobalSettings
{
    public static GlobalSettings Default { get; } = new();

    /// <summary><c>proxy-body-size</c>: largest request body; 0 = unlimited. ingress-nginx default 1m.</summary>
    public long ProxyBodySize { get; init; } = 1024 * 1024;

    /// <summary><c>proxy-connect-timeout</c> in seconds (default 5).</summary>
    public int ProxyConnectTimeoutSeconds { get; init; } = 5;

    /// <summary><c>proxy-read-timeout</c> in seconds (default 60): longest silence from the backend.</summary>
    public int ProxyReadTimeoutSeconds { get; init; } = 60;

    /// <summary><c>client-header-timeout</c> in seconds (default 60): time allowed to send the request headers.</summary>
    public int ClientHeaderTimeoutSeconds { get; init; } = 60;

    /// <summary><c>ssl-redirect</c> (default true): redirect HTTP to HTTPS for hosts with TLS.</summary>
    public bool SslRedirect { get; init; } = true;
}
