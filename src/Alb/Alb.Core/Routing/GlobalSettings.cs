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

    /// <summary><c>proxy-send-timeout</c> in seconds (default 60): longest pause while sending the request upstream.</summary>
    public int ProxySendTimeoutSeconds { get; init; } = 60;

    /// <summary><c>proxy-next-upstream-tries</c> (default 3): attempts per request over the endpoints (0 = no limit beyond them).</summary>
    public int ProxyNextUpstreamTries { get; init; } = 3;

    /// <summary><c>proxy-request-buffering</c> (default on): read the whole request body before forwarding.</summary>
    public bool ProxyRequestBuffering { get; init; } = true;

    /// <summary><c>client-body-buffer-size</c> (default 8k): request body bytes kept in memory before a temp file.</summary>
    public int ClientBodyBufferSize { get; init; } = 8 * 1024;

    /// <summary><c>client-body-timeout</c> in seconds (default 60): longest pause while the client sends its body.</summary>
    public int ClientBodyTimeoutSeconds { get; init; } = 60;

    /// <summary><c>ssl-redirect</c> (default true): redirect HTTP to HTTPS for hosts with TLS.</summary>
    public bool SslRedirect { get; init; } = true;

    /// <summary><c>force-ssl-redirect</c> (default false): redirect HTTP to HTTPS even without TLS.</summary>
    public bool ForceSslRedirect { get; init; }

    /// <summary><c>http-redirect-code</c> (default 308; 301, 302, 307 or 308): the status of the HTTPS redirect.</summary>
    public int HttpRedirectCode { get; init; } = 308;

    /// <summary><c>no-tls-redirect-locations</c>: Ingress paths starting with one of these are never redirected to HTTPS.</summary>
    public EquatableArray<string> NoTlsRedirectLocations { get; init; } = ["/.well-known/acme-challenge"];

    /// <summary><c>no-auth-locations</c>: Ingress paths starting with one of these skip basic and external authentication (ACME challenges).</summary>
    public EquatableArray<string> NoAuthLocations { get; init; } = ["/.well-known/acme-challenge"];

    /// <summary><c>use-forwarded-headers</c> (default false): trust X-Forwarded-For/-Proto/-Host/-Port from <see cref="ProxyRealIpCidr"/>.</summary>
    public bool UseForwardedHeaders { get; init; }

    /// <summary><c>enable-real-ip</c> (default false): take the client address from <see cref="ForwardedForHeader"/>, nothing else.</summary>
    public bool EnableRealIp { get; init; }

    /// <summary><c>compute-full-forwarded-for</c> (default false): with forwarded headers, append the peer to the incoming X-Forwarded-For.</summary>
    public bool ComputeFullForwardedFor { get; init; }

    /// <summary><c>forwarded-for-header</c> (default X-Forwarded-For): where the client address is read from.</summary>
    public string ForwardedForHeader { get; init; } = "X-Forwarded-For";

    /// <summary><c>proxy-real-ip-cidr</c> (default 0.0.0.0/0): peers whose forwarded headers are trusted.</summary>
    public EquatableArray<string> ProxyRealIpCidr { get; init; } = ["0.0.0.0/0"];

    /// <summary><c>hsts</c> (default true): Strict-Transport-Security on every HTTPS answer.</summary>
    public bool Hsts { get; init; } = true;

    /// <summary><c>hsts-max-age</c> (default 31536000 seconds).</summary>
    public long HstsMaxAge { get; init; } = 31536000;

    /// <summary><c>hsts-include-subdomains</c> (default true).</summary>
    public bool HstsIncludeSubdomains { get; init; } = true;

    /// <summary><c>hsts-preload</c> (default false).</summary>
    public bool HstsPreload { get; init; }

    /// <summary><c>server-tokens</c> (default false): the Server header names alb's version only when true.</summary>
    public bool ServerTokens { get; init; }

    /// <summary><c>custom-http-errors</c>: backend answers with these codes (300-599) are replaced by alb's own status page.</summary>
    public EquatableArray<int> CustomHttpErrors { get; init; }

    /// <summary><c>service-upstream</c> (default false): proxy to the Service's cluster IP instead of its endpoints.</summary>
    public bool ServiceUpstream { get; init; }

    /// <summary><c>global-allowed-response-headers</c>: the header names custom-headers may set (none by default).</summary>
    public EquatableArray<string> GlobalAllowedResponseHeaders { get; init; }

    /// <summary><c>proxy-http-version</c> (default 1.1): 1.0 or 1.1 to HTTP backends.</summary>
    public string ProxyHttpVersion { get; init; } = "1.1";

    /// <summary><c>proxy-next-upstream</c> (default "error timeout").</summary>
    public Policies.NextUpstream ProxyNextUpstream { get; init; } = Policies.NextUpstream.Error | Policies.NextUpstream.Timeout;

    /// <summary><c>proxy-next-upstream-timeout</c> in seconds (default 0: no budget).</summary>
    public int ProxyNextUpstreamTimeoutSeconds { get; init; }

    /// <summary><c>proxy-buffering</c> (default off).</summary>
    public bool ProxyBuffering { get; init; }

    /// <summary><c>proxy-buffers-number</c> × <c>proxy-buffer-size</c> (default 4 × 4k): memory for a buffered answer.</summary>
    public int ProxyBufferBytes { get; init; } = 4 * 4096;

    /// <summary><c>proxy-max-temp-file-size</c> (default 1024m): the temp file a buffered answer may use.</summary>
    public long ProxyMaxTempFileBytes { get; init; } = 1024L * 1024 * 1024;

    /// <summary><c>use-proxy-protocol</c> (default false): every connection starts with a PROXY protocol v1/v2 header (read at start).</summary>
    public bool UseProxyProtocol { get; init; }

    /// <summary><c>keep-alive</c> in seconds (default 75; 0 closes after each request): idle time of client connections (read at start).</summary>
    public int KeepAliveSeconds { get; init; } = 75;

    /// <summary><c>keep-alive-requests</c> (default 1000): requests on one HTTP/1.1 client connection before alb closes it.</summary>
    public int KeepAliveRequests { get; init; } = 1000;

    /// <summary><c>large-client-header-buffers</c> (default "4 8k"): the request line and each header line fit one buffer, all fit the lot (read at start).</summary>
    public int LargeHeaderBuffers { get; init; } = 4;

    /// <summary>The size of one of those buffers in bytes (default 8k).</summary>
    public int LargeHeaderBufferSize { get; init; } = 8 * 1024;

    /// <summary><c>upstream-keepalive-timeout</c> in seconds (default 60): idle time of pooled upstream connections (read at start).</summary>
    public int UpstreamKeepaliveTimeoutSeconds { get; init; } = 60;

    /// <summary><c>upstream-keepalive-connections</c> (default 320; 0 disables the pool and sends Connection: close).</summary>
    public int UpstreamKeepaliveConnections { get; init; } = 320;

    /// <summary><c>global-auth-url</c> and its <c>global-auth-*</c> companions: external auth for every route without its own auth-url.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public Policies.ExternalAuthPolicy? GlobalAuth { get; init; }

    /// <summary><c>allow-cross-namespace-resources</c> (default false): auth Secrets may be named in another namespace than the Ingress.</summary>
    public bool AllowCrossNamespaceResources { get; init; }

    /// <summary><c>upstream-keepalive-requests</c> (default 1000): requests on one pooled HTTP/1.1 upstream connection before it is closed (read at start).</summary>
    public int UpstreamKeepaliveRequests { get; init; } = 1000;

    /// <summary><c>ssl-protocols</c> (default "TLSv1.2 TLSv1.3"): TLS versions of the HTTPS listener.</summary>
    public string SslProtocols { get; init; } = "TLSv1.2 TLSv1.3";

    /// <summary><c>ssl-ciphers</c> (default: ingress-nginx's list): TLS 1.2 suites of the HTTPS listener, OpenSSL names.</summary>
    public string SslCiphers { get; init; } = Tls.CipherNames.Default;

    /// <summary><c>annotations-risk-level</c> (default High): an annotation of higher risk refuses its Ingress.</summary>
    public Annotations.AnnotationRisk AnnotationsRiskLevel { get; init; } = Annotations.AnnotationRisk.High;

    /// <summary><c>limit-req-status-code</c> (default 503): the answer to a request over <c>limit-rps</c>/<c>limit-rpm</c>.</summary>
    public int LimitReqStatusCode { get; init; } = 503;

    /// <summary><c>limit-conn-status-code</c> (default 503): the answer to a request over <c>limit-connections</c>.</summary>
    public int LimitConnStatusCode { get; init; } = 503;
}
