using System.Text.Json.Serialization;
using Alb.Core.Routing;

namespace Alb.Core.Policies;

/// <summary>
/// Everything the annotations of an Ingress ask of one route, as typed values. Compared by value, so an unchanged
/// Ingress rebuilds nothing. The host compiles it into the route's pipeline at publish time; <c>alb explain</c> prints
/// it. Null members are policies the route does not use.
/// </summary>
public sealed record RoutePolicies
{
    public static RoutePolicies Default { get; } = new();

    /// <summary>The server of a from-to-www-redirect twin: every request is redirected to the rule host.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public WwwRedirectPolicy? WwwRedirect { get; init; }

    /// <summary>A broken security annotation: the route answers this status and never reaches its backend (fail closed).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DenyPolicy? Deny { get; init; }

    /// <summary><c>ssl-redirect</c> / <c>force-ssl-redirect</c>: plain HTTP requests are redirected to HTTPS.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public HttpsRedirectPolicy? HttpsRedirect { get; init; }

    /// <summary><c>permanent-redirect</c> / <c>temporal-redirect</c>: every request is answered with a redirect.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RedirectPolicy? Redirect { get; init; }

    /// <summary><c>app-root</c>: a request for <c>/</c> is redirected (302) to this path.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? AppRoot { get; init; }

    /// <summary><c>enable-cors</c> and the <c>cors-*</c> keys.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CorsPolicy? Cors { get; init; }

    /// <summary><c>rewrite-target</c> and <c>x-forwarded-prefix</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RewritePolicy? Rewrite { get; init; }

    /// <summary><c>allowlist-source-range</c> / <c>denylist-source-range</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public SourceRangePolicy? SourceRanges { get; init; }

    /// <summary><c>satisfy</c>: whether one passed check of the access phase is enough (any) or all must pass (all, the default).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public SatisfyMode Satisfy { get; init; }

    /// <summary><c>auth-type: basic</c> with <c>auth-secret</c>, <c>auth-secret-type</c> and <c>auth-realm</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BasicAuthPolicy? BasicAuth { get; init; }

    /// <summary><c>auth-url</c> and its companions, or the ConfigMap's global-auth-url.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ExternalAuthPolicy? ExternalAuth { get; init; }

    /// <summary><c>alb.edge.io/auth-jwt-*</c>: a JWT validated at the ingress.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JwtPolicy? Jwt { get; init; }

    /// <summary><c>limit-rps</c>, <c>limit-rpm</c>, <c>limit-connections</c> and their companions.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RateLimitPolicy? RateLimit { get; init; }

    /// <summary>How an endpoint is picked: affinity, consistent hashing or EWMA; null = round robin.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BalancePolicy? Balance { get; init; }

    /// <summary><c>mirror-target</c>, <c>mirror-host</c>, <c>mirror-request-body</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MirrorPolicy? Mirror { get; init; }

    /// <summary><c>proxy-ssl-*</c>: how HTTPS and GRPCS backends are verified.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BackendTlsPolicy? BackendTls { get; init; }

    /// <summary><c>custom-headers</c>, <c>proxy-cookie-domain</c>, <c>proxy-cookie-path</c>, <c>proxy-redirect-from</c>/<c>-to</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AnswerRewritePolicy? Answer { get; init; }

    /// <summary><c>default-backend</c> and <c>custom-http-errors</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ErrorsPolicy? Errors { get; init; }

    /// <summary>A canary Ingress's backend attached to this route (the first canary of the same host, path and pathType).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CanaryPolicy? Canary { get; init; }

    /// <summary>How the request goes to the backend: protocol, Host, timeouts, body size; null = the ConfigMap's values.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public UpstreamPolicy? Upstream { get; init; }

    /// <summary><c>enable-access-log: "false"</c>: no access log line for this route.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool NoAccessLog { get; init; }
}

/// <summary>The route answers <see cref="Status"/> because of <see cref="Reason"/> (an annotation that failed validation).</summary>
public sealed record DenyPolicy(int Status, string Reason);

/// <summary>
/// Redirect plain HTTP to HTTPS with <see cref="Code"/> (ConfigMap <c>http-redirect-code</c>, default 308);
/// <see cref="UsePort"/> (<c>use-port-in-redirects</c>) writes the HTTPS port even when it is 443.
/// </summary>
public sealed record HttpsRedirectPolicy(int Code, bool PreserveTrailingSlash, bool UsePort = false);

/// <summary>nginx's proxy_next_upstream conditions.</summary>
[Flags]
public enum NextUpstream
{
    Off = 0,
    Error = 1,
    Timeout = 2,
    InvalidHeader = 4,
    Http500 = 8,
    Http502 = 16,
    Http503 = 32,
    Http504 = 64,
    Http403 = 128,
    Http404 = 256,
    Http429 = 512,
    NonIdempotent = 1024,
}

/// <summary>Answer every request with <see cref="Code"/> and <c>Location: Url</c>.</summary>
public sealed record RedirectPolicy(string Url, int Code);

/// <summary>
/// <c>rewrite-target</c>: the path sent upstream is <see cref="Target"/> with <c>$1</c>.. taken from the route's path
/// regex. <see cref="ForwardedPrefix"/> (<c>x-forwarded-prefix</c>) is sent as <c>X-Forwarded-Prefix</c>.
/// </summary>
public sealed record RewritePolicy(string Target, string? ForwardedPrefix);

/// <summary>
/// Per-route backend settings. Timeouts in milliseconds. <see cref="BodySize"/> 0 = unlimited. <see cref="Host"/> null =
/// the client's Host header (<c>upstream-vhost</c> replaces it).
/// </summary>
public sealed record UpstreamPolicy(
    UpstreamProtocol Protocol,
    string? Host,
    long BodySize,
    int ConnectTimeoutMs,
    int SendTimeoutMs,
    int ReadTimeoutMs,
    int NextUpstreamTries)
{
    /// <summary>
    /// <c>proxy-request-buffering</c> (default on): the whole request body is read before the backend sees the
    /// request, in memory up to <see cref="BodyBufferSize"/> (<c>client-body-buffer-size</c>), then in a temp file.
    /// </summary>
    public bool RequestBuffering { get; init; } = true;

    /// <summary><c>client-body-timeout</c> (ConfigMap, default 60 s): longest pause between two reads of a buffered body.</summary>
    public int BodyTimeoutMs { get; init; } = 60_000;

    /// <summary><c>client-body-buffer-size</c> (default 8k).</summary>
    public int BodyBufferSize { get; init; } = 8 * 1024;

    /// <summary><c>proxy-next-upstream</c>: when another endpoint is tried (default: error timeout).</summary>
    public NextUpstream NextUpstream { get; init; } = NextUpstream.Error | NextUpstream.Timeout;

    /// <summary><c>proxy-next-upstream-timeout</c> in seconds: the time budget for trying endpoints (0 = none).</summary>
    public int NextUpstreamTimeoutSeconds { get; init; }

    /// <summary>
    /// <c>proxy-buffering: on</c>: the backend's answer is read into <see cref="ResponseBufferBytes"/> of memory
    /// (<c>proxy-buffers-number</c> × <c>proxy-buffer-size</c>), then a temp file up to <see cref="ResponseTempFileBytes"/>
    /// (<c>proxy-max-temp-file-size</c>), before the client is sent it; past that the rest streams. Default off, as ingress-nginx.
    /// </summary>
    public bool ResponseBuffering { get; init; }

    public int ResponseBufferBytes { get; init; } = 4 * 4096;

    public long ResponseTempFileBytes { get; init; } = 1024L * 1024 * 1024;

    /// <summary><c>limit-rate</c>: the answer is sent at most this many bytes per second (0 = no limit).</summary>
    public long LimitRateBytes { get; init; }

    /// <summary><c>limit-rate-after</c>: bytes sent at full speed before <see cref="LimitRateBytes"/> applies.</summary>
    public long LimitRateAfterBytes { get; init; }

    /// <summary><c>connection-proxy-header</c>: <c>close</c> or <c>keep-alive</c> sent upstream instead of the default.</summary>
    public string? ConnectionHeader { get; init; }

    /// <summary><c>proxy-http-version</c>: "1.0" or "1.1" (default) to HTTP backends.</summary>
    public string HttpVersion { get; init; } = "1.1";

    /// <summary>The ConfigMap's values, before any annotation of the Ingress.</summary>
    public static UpstreamPolicy From(GlobalSettings settings) => new(
        UpstreamProtocol.Http,
        null,
        settings.ProxyBodySize,
        settings.ProxyConnectTimeoutSeconds * 1000,
        settings.ProxySendTimeoutSeconds * 1000,
        settings.ProxyReadTimeoutSeconds * 1000,
        settings.ProxyNextUpstreamTries)
    {
        RequestBuffering = settings.ProxyRequestBuffering,
        BodyTimeoutMs = settings.ClientBodyTimeoutSeconds * 1000,
        BodyBufferSize = settings.ClientBodyBufferSize,
        HttpVersion = settings.ProxyHttpVersion,
        NextUpstream = settings.ProxyNextUpstream,
        NextUpstreamTimeoutSeconds = settings.ProxyNextUpstreamTimeoutSeconds,
        ResponseBuffering = settings.ProxyBuffering,
        ResponseBufferBytes = settings.ProxyBufferBytes,
        ResponseTempFileBytes = settings.ProxyMaxTempFileBytes,
    };
}
