namespace Alb.Core.Annotations;

/// <summary>How far <c>alb</c> honours an ingress-nginx annotation.</summary>
public enum AnnotationSupport
{
    /// <summary>Honoured with ingress-nginx's behaviour (differences are listed in docs/alb-annotations.md).</summary>
    Supported,

    /// <summary>In scope of an open issue, not built yet: a Warning says so (auth keys fail closed: the route answers 503).</summary>
    Planned,

    /// <summary>Not modelled (ModSecurity, OpenTelemetry, FastCGI, buffers...): a Warning names it; the route is served without it.</summary>
    NotSupported,

    /// <summary>Raw nginx configuration or a Critical-risk key: the Ingress carrying it is not served.</summary>
    RefusedByDesign,
}

/// <summary>Where an annotation acts in nginx terms: one location (a route) or the whole server (a host).</summary>
public enum AnnotationScope
{
    Location,
    Server,
}

/// <summary>The risk ingress-nginx's parser declares; with its default <c>annotations-risk-level: High</c>, Critical refuses the Ingress.</summary>
public enum AnnotationRisk
{
    Low,
    Medium,
    High,
    Critical,
}

/// <summary>The annotation families; each has a parser under <c>Annotations/</c> and a diagnostic code range.</summary>
public enum AnnotationFamily
{
    Redirect,
    Rewrite,
    Server,
    Backend,
    BackendTls,
    Canary,
    Affinity,
    LoadBalancing,
    Cors,
    Access,
    RateLimit,
    Proxy,
    Headers,
    Errors,
    Mirror,
    Logging,
    Tls,
    BasicAuth,
    ExternalAuth,
    ClientCertificates,
    Snippet,
    Waf,
    Tracing,
    FastCgi,
    Misc,
}

/// <summary>One ingress-nginx annotation (without the <c>nginx.ingress.kubernetes.io/</c> prefix) and what alb does with it.</summary>
public sealed record AnnotationInfo(string Name, AnnotationFamily Family, AnnotationScope Scope, AnnotationRisk Risk, AnnotationSupport Support, string Meaning)
{
    public string Key => AnnotationCatalog.Prefix + Name;
}

/// <summary>
/// Every annotation ingress-nginx v1.15 has a parser for (138, aliases included), with alb's support for each. The
/// compatibility table in docs/alb-annotations.md is generated from this list (a test keeps the two equal).
/// </summary>
public static class AnnotationCatalog
{
    public const string Prefix = "nginx.ingress.kubernetes.io/";

    public static IReadOnlyList<AnnotationInfo> All { get; } =
    [
        new("affinity", AnnotationFamily.Affinity, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "sticky sessions; only \"cookie\" is supported"),
        new("affinity-canary-behavior", AnnotationFamily.Affinity, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.NotSupported, "sticky (default) keeps canary-affinitized users on the canary; legacy ignores affinity for canaries"),
        new("affinity-mode", AnnotationFamily.Affinity, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "balanced (rebalance on scale-up) or persistent stickiness"),
        new("allowlist-source-range", AnnotationFamily.Access, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "client CIDR allow list (403 otherwise); newer name of whitelist-source-range"),
        new("app-root", AnnotationFamily.Redirect, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "302 from \"/\" to the given application path"),
        new("auth-always-set-cookie", AnnotationFamily.ExternalAuth, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "pass Set-Cookie from the auth service even when the backend answers an error"),
        new("auth-cache-duration", AnnotationFamily.ExternalAuth, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "cache lifetimes per auth status code for auth-url answers"),
        new("auth-cache-key", AnnotationFamily.ExternalAuth, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "enables caching of auth-url answers under this key"),
        new("auth-keepalive", AnnotationFamily.ExternalAuth, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "keep-alive connections to the auth-url service"),
        new("auth-keepalive-requests", AnnotationFamily.ExternalAuth, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "max requests per keep-alive connection to the auth service"),
        new("auth-keepalive-share-vars", AnnotationFamily.ExternalAuth, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "share nginx variables between request and auth subrequest"),
        new("auth-keepalive-timeout", AnnotationFamily.ExternalAuth, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "idle timeout of keep-alive auth connections"),
        new("auth-method", AnnotationFamily.ExternalAuth, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "HTTP method used for the auth-url call"),
        new("auth-proxy-set-headers", AnnotationFamily.ExternalAuth, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "ConfigMap of extra headers sent to the auth service"),
        new("auth-realm", AnnotationFamily.BasicAuth, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "realm shown in the Basic/Digest challenge"),
        new("auth-request-redirect", AnnotationFamily.ExternalAuth, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "value of X-Auth-Request-Redirect sent to the auth service"),
        new("auth-response-headers", AnnotationFamily.ExternalAuth, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "auth answer headers copied into the upstream request"),
        new("auth-secret", AnnotationFamily.BasicAuth, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "Secret holding htpasswd data for basic/digest auth"),
        new("auth-secret-type", AnnotationFamily.BasicAuth, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "auth-file (htpasswd in key auth) or auth-map (key=user, value=hash)"),
        new("auth-signin", AnnotationFamily.ExternalAuth, AnnotationScope.Location, AnnotationRisk.High, AnnotationSupport.Supported, "where to send the client (302) when auth-url answers 401"),
        new("auth-signin-redirect-param", AnnotationFamily.ExternalAuth, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "name of the query parameter carrying the original URL (default rd)"),
        new("auth-snippet", AnnotationFamily.ExternalAuth, AnnotationScope.Location, AnnotationRisk.Critical, AnnotationSupport.RefusedByDesign, "raw nginx config for the auth subrequest (Critical)"),
        new("auth-tls-error-page", AnnotationFamily.ClientCertificates, AnnotationScope.Server, AnnotationRisk.High, AnnotationSupport.Supported, "redirect target when client certificate verification fails"),
        new("auth-tls-match-cn", AnnotationFamily.ClientCertificates, AnnotationScope.Server, AnnotationRisk.High, AnnotationSupport.Supported, "regex (starting CN=) the client certificate subject DN must match (403 otherwise)"),
        new("auth-tls-pass-certificate-to-upstream", AnnotationFamily.ClientCertificates, AnnotationScope.Server, AnnotationRisk.Low, AnnotationSupport.Supported, "send the client certificate to the backend in ssl-client-cert"),
        new("auth-tls-secret", AnnotationFamily.ClientCertificates, AnnotationScope.Server, AnnotationRisk.Medium, AnnotationSupport.Supported, "CA bundle Secret for client certificate (mTLS) verification"),
        new("auth-tls-verify-client", AnnotationFamily.ClientCertificates, AnnotationScope.Server, AnnotationRisk.Medium, AnnotationSupport.Supported, "on / off / optional / optional_no_ca client certificate checking"),
        new("auth-tls-verify-depth", AnnotationFamily.ClientCertificates, AnnotationScope.Server, AnnotationRisk.Low, AnnotationSupport.Supported, "maximum client certificate chain depth"),
        new("auth-type", AnnotationFamily.BasicAuth, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "basic or digest HTTP authentication"),
        new("auth-url", AnnotationFamily.ExternalAuth, AnnotationScope.Location, AnnotationRisk.High, AnnotationSupport.Supported, "external authentication service called for every request (auth_request)"),
        new("backend-protocol", AnnotationFamily.Backend, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "protocol to the backend: HTTP, HTTPS, AUTO_HTTP, GRPC, GRPCS, FCGI"),
        new("canary", AnnotationFamily.Canary, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "marks the Ingress as canary of the main Ingress with the same host/path"),
        new("canary-by-cookie", AnnotationFamily.Canary, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "cookie whose value always/never forces the canary"),
        new("canary-by-header", AnnotationFamily.Canary, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "header whose value always/never forces the canary"),
        new("canary-by-header-pattern", AnnotationFamily.Canary, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "regex on canary-by-header value that selects the canary"),
        new("canary-by-header-value", AnnotationFamily.Canary, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "exact canary-by-header value that selects the canary"),
        new("canary-weight", AnnotationFamily.Canary, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "share of random traffic sent to the canary"),
        new("canary-weight-total", AnnotationFamily.Canary, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "denominator of canary-weight (default 100; values <=100 ignored)"),
        new("client-body-buffer-size", AnnotationFamily.Proxy, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "in-memory buffer for request bodies"),
        new("configuration-snippet", AnnotationFamily.Snippet, AnnotationScope.Location, AnnotationRisk.Critical, AnnotationSupport.RefusedByDesign, "raw nginx config in the location (Critical)"),
        new("connection-proxy-header", AnnotationFamily.Proxy, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "Connection header value sent to the backend"),
        new("cors-allow-credentials", AnnotationFamily.Cors, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "Access-Control-Allow-Credentials (default true)"),
        new("cors-allow-headers", AnnotationFamily.Cors, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "Access-Control-Allow-Headers list"),
        new("cors-allow-methods", AnnotationFamily.Cors, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "Access-Control-Allow-Methods list"),
        new("cors-allow-origin", AnnotationFamily.Cors, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "allowed origins (default *; single-label wildcard supported)"),
        new("cors-expose-headers", AnnotationFamily.Cors, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "Access-Control-Expose-Headers list"),
        new("cors-max-age", AnnotationFamily.Cors, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "Access-Control-Max-Age (default 1728000)"),
        new("custom-headers", AnnotationFamily.Headers, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "ConfigMap of extra RESPONSE headers (needs global-allowed-response-headers)"),
        new("custom-http-errors", AnnotationFamily.Errors, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "intercept these backend status codes and serve them from the default backend"),
        new("default-backend", AnnotationFamily.Errors, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "service used when the rule service has no endpoints (and for custom-http-errors)"),
        new("denylist-source-range", AnnotationFamily.Access, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "client CIDR deny list (403)"),
        new("disable-proxy-intercept-errors", AnnotationFamily.Errors, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "keep custom-http-errors codes from being intercepted for this Ingress"),
        new("enable-access-log", AnnotationFamily.Logging, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "turn the access log off/on per location"),
        new("enable-cors", AnnotationFamily.Cors, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "turn on CORS handling (headers + 204 preflight)"),
        new("enable-global-auth", AnnotationFamily.ExternalAuth, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "opt out of the global-auth-url"),
        new("enable-modsecurity", AnnotationFamily.Waf, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.NotSupported, "turn on ModSecurity WAF"),
        new("enable-opentelemetry", AnnotationFamily.Tracing, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.NotSupported, "turn OpenTelemetry tracing on/off per Ingress"),
        new("enable-owasp-core-rules", AnnotationFamily.Waf, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.NotSupported, "load the OWASP CRS into ModSecurity"),
        new("enable-rewrite-log", AnnotationFamily.Logging, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.NotSupported, "nginx rewrite_log for debugging"),
        new("fastcgi-index", AnnotationFamily.FastCgi, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.NotSupported, "fastcgi_index for FCGI backends"),
        new("fastcgi-params-configmap", AnnotationFamily.FastCgi, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.NotSupported, "ConfigMap of fastcgi_param values"),
        new("force-ssl-redirect", AnnotationFamily.Redirect, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "308 to HTTPS even without TLS on the Ingress"),
        new("from-to-www-redirect", AnnotationFamily.Redirect, AnnotationScope.Server, AnnotationRisk.Low, AnnotationSupport.Supported, "redirect www.<host> <-> <host> to the rule host"),
        new("http2-push-preload", AnnotationFamily.Misc, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.NotSupported, "HTTP/2 server push from Link preload headers"),
        new("limit-allowlist", AnnotationFamily.RateLimit, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "client CIDRs exempt from rate limiting"),
        new("limit-burst-multiplier", AnnotationFamily.RateLimit, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "burst = limit x multiplier (default 5)"),
        new("limit-connections", AnnotationFamily.RateLimit, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "max concurrent connections per client IP (503 beyond)"),
        new("limit-rate", AnnotationFamily.RateLimit, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "response bandwidth limit (KB/s) per connection"),
        new("limit-rate-after", AnnotationFamily.RateLimit, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "KB sent before limit-rate applies"),
        new("limit-rpm", AnnotationFamily.RateLimit, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "requests per minute per client IP (503 beyond burst)"),
        new("limit-rps", AnnotationFamily.RateLimit, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "requests per second per client IP (503 beyond burst)"),
        new("limit-whitelist", AnnotationFamily.RateLimit, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "alias of limit-allowlist"),
        new("load-balance", AnnotationFamily.LoadBalancing, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "backend balancing algorithm (round_robin, ewma)"),
        new("mirror-host", AnnotationFamily.Mirror, AnnotationScope.Location, AnnotationRisk.High, AnnotationSupport.Supported, "Host header of mirrored requests"),
        new("mirror-request-body", AnnotationFamily.Mirror, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "send the body to the mirror (on/off)"),
        new("mirror-target", AnnotationFamily.Mirror, AnnotationScope.Location, AnnotationRisk.High, AnnotationSupport.Supported, "URL that receives a copy of every request"),
        new("modsecurity-snippet", AnnotationFamily.Waf, AnnotationScope.Location, AnnotationRisk.Critical, AnnotationSupport.RefusedByDesign, "raw ModSecurity rules (Critical)"),
        new("modsecurity-transaction-id", AnnotationFamily.Waf, AnnotationScope.Location, AnnotationRisk.High, AnnotationSupport.NotSupported, "nginx variable used as ModSecurity transaction id"),
        new("opentelemetry-operation-name", AnnotationFamily.Tracing, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.NotSupported, "span name for OpenTelemetry"),
        new("opentelemetry-trust-incoming-span", AnnotationFamily.Tracing, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.NotSupported, "continue incoming traces"),
        new("permanent-redirect", AnnotationFamily.Redirect, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "answer every request with a redirect to this URL (301)"),
        new("permanent-redirect-code", AnnotationFamily.Redirect, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "status for permanent-redirect (300-308)"),
        new("preserve-trailing-slash", AnnotationFamily.Redirect, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "keep the trailing slash in the HTTPS redirect"),
        new("proxy-body-size", AnnotationFamily.Proxy, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "max request body size (413 beyond; default 1m; 0 = unlimited)"),
        new("proxy-buffer-size", AnnotationFamily.Proxy, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "buffer for the first part of the backend answer"),
        new("proxy-buffering", AnnotationFamily.Proxy, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "buffer backend answers (on/off)"),
        new("proxy-buffers-number", AnnotationFamily.Proxy, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "number of proxy buffers"),
        new("proxy-busy-buffers-size", AnnotationFamily.Proxy, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.NotSupported, "limit of busy buffers while sending to the client"),
        new("proxy-connect-timeout", AnnotationFamily.Proxy, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "backend connect timeout (s)"),
        new("proxy-cookie-domain", AnnotationFamily.Proxy, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "rewrite the Domain of backend Set-Cookie"),
        new("proxy-cookie-path", AnnotationFamily.Proxy, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "rewrite the Path of backend Set-Cookie"),
        new("proxy-http-version", AnnotationFamily.Proxy, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "HTTP version to the backend (1.0/1.1)"),
        new("proxy-max-temp-file-size", AnnotationFamily.Proxy, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "max temp file for buffered answers"),
        new("proxy-next-upstream", AnnotationFamily.Proxy, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "which failures retry another endpoint"),
        new("proxy-next-upstream-timeout", AnnotationFamily.Proxy, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "time budget for retries"),
        new("proxy-next-upstream-tries", AnnotationFamily.Proxy, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "max retry attempts"),
        new("proxy-read-timeout", AnnotationFamily.Proxy, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "backend read timeout (s)"),
        new("proxy-redirect-from", AnnotationFamily.Proxy, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "text to replace in backend Location/Refresh"),
        new("proxy-redirect-to", AnnotationFamily.Proxy, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "replacement for proxy-redirect-from"),
        new("proxy-request-buffering", AnnotationFamily.Proxy, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "buffer request bodies before proxying (on/off)"),
        new("proxy-send-timeout", AnnotationFamily.Proxy, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "backend send timeout (s)"),
        new("proxy-ssl-ciphers", AnnotationFamily.BackendTls, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.NotSupported, "ciphers towards HTTPS backends"),
        new("proxy-ssl-name", AnnotationFamily.BackendTls, AnnotationScope.Location, AnnotationRisk.High, AnnotationSupport.Supported, "server name checked/sent (SNI) towards the HTTPS backend"),
        new("proxy-ssl-protocols", AnnotationFamily.BackendTls, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "TLS versions towards HTTPS backends"),
        new("proxy-ssl-secret", AnnotationFamily.BackendTls, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "client certificate + CA Secret for HTTPS backends"),
        new("proxy-ssl-server-name", AnnotationFamily.BackendTls, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "send SNI to the HTTPS backend (on/off)"),
        new("proxy-ssl-verify", AnnotationFamily.BackendTls, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "verify the backend certificate (on/off)"),
        new("proxy-ssl-verify-depth", AnnotationFamily.BackendTls, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "backend certificate chain depth"),
        new("relative-redirects", AnnotationFamily.Redirect, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "absolute_redirect off: nginx-generated redirects use relative Location"),
        new("rewrite-target", AnnotationFamily.Rewrite, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "replace the request URI sent to the backend (capture groups $1..)"),
        new("satisfy", AnnotationFamily.Access, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "any/all: combine auth and IP rules"),
        new("server-alias", AnnotationFamily.Server, AnnotationScope.Server, AnnotationRisk.High, AnnotationSupport.Supported, "extra host names for the same server"),
        new("server-snippet", AnnotationFamily.Snippet, AnnotationScope.Server, AnnotationRisk.Critical, AnnotationSupport.RefusedByDesign, "raw nginx config in the server block (Critical)"),
        new("service-upstream", AnnotationFamily.Backend, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "proxy to the Service ClusterIP instead of endpoints"),
        new("session-cookie-change-on-failure", AnnotationFamily.Affinity, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "re-pick the sticky endpoint after a failure"),
        new("session-cookie-conditional-samesite-none", AnnotationFamily.Affinity, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "omit SameSite=None for incompatible browsers"),
        new("session-cookie-domain", AnnotationFamily.Affinity, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "Domain attribute of the sticky cookie"),
        new("session-cookie-expires", AnnotationFamily.Affinity, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "Expires (seconds) of the sticky cookie"),
        new("session-cookie-max-age", AnnotationFamily.Affinity, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "Max-Age of the sticky cookie"),
        new("session-cookie-name", AnnotationFamily.Affinity, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "name of the sticky cookie (default INGRESSCOOKIE)"),
        new("session-cookie-path", AnnotationFamily.Affinity, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "Path of the sticky cookie (needed with use-regex)"),
        new("session-cookie-samesite", AnnotationFamily.Affinity, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "SameSite attribute (None/Lax/Strict)"),
        new("session-cookie-secure", AnnotationFamily.Affinity, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "force the Secure attribute"),
        new("ssl-ciphers", AnnotationFamily.Tls, AnnotationScope.Server, AnnotationRisk.Low, AnnotationSupport.NotSupported, "TLS ciphers of the server"),
        new("ssl-passthrough", AnnotationFamily.Tls, AnnotationScope.Server, AnnotationRisk.Low, AnnotationSupport.Supported, "pass TLS through to the backend (L4, all other annotations void)"),
        new("ssl-prefer-server-ciphers", AnnotationFamily.Tls, AnnotationScope.Server, AnnotationRisk.Low, AnnotationSupport.NotSupported, "prefer server cipher order"),
        new("ssl-redirect", AnnotationFamily.Redirect, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "308 to HTTPS when the Ingress has TLS (default true)"),
        new("stream-snippet", AnnotationFamily.Snippet, AnnotationScope.Location, AnnotationRisk.Critical, AnnotationSupport.RefusedByDesign, "raw nginx stream config (Critical)"),
        new("temporal-redirect", AnnotationFamily.Redirect, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "answer every request with a redirect to this URL (302)"),
        new("temporal-redirect-code", AnnotationFamily.Redirect, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "status for temporal-redirect (300-307)"),
        new("upstream-hash-by", AnnotationFamily.LoadBalancing, AnnotationScope.Location, AnnotationRisk.High, AnnotationSupport.Supported, "consistent hashing key (nginx variables)"),
        new("upstream-hash-by-subset", AnnotationFamily.LoadBalancing, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "hash to a subset of endpoints"),
        new("upstream-hash-by-subset-size", AnnotationFamily.LoadBalancing, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "size of that subset (default 3)"),
        new("upstream-vhost", AnnotationFamily.Headers, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "Host header sent to the backend"),
        new("use-port-in-redirects", AnnotationFamily.Redirect, AnnotationScope.Location, AnnotationRisk.Low, AnnotationSupport.Supported, "include the port in nginx-generated redirects"),
        new("use-regex", AnnotationFamily.Rewrite, AnnotationScope.Server, AnnotationRisk.Low, AnnotationSupport.Supported, "paths are case-insensitive regexes (host-wide effect)"),
        new("whitelist-source-range", AnnotationFamily.Access, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "alias of allowlist-source-range"),
        new("x-forwarded-prefix", AnnotationFamily.Rewrite, AnnotationScope.Location, AnnotationRisk.Medium, AnnotationSupport.Supported, "X-Forwarded-Prefix sent to the backend (only with rewrite-target)"),
    ];

    private static readonly Dictionary<string, AnnotationInfo> ByName = All.ToDictionary(a => a.Name, StringComparer.Ordinal);

    /// <summary>The entry for a name without the prefix, or null for a key ingress-nginx does not know (a typo).</summary>
    public static AnnotationInfo? Find(string name) => ByName.GetValueOrDefault(name);
}
