namespace Alb.Core.Diagnostics;

/// <summary>A stable diagnostic code with its fixed severity and a one-line meaning (docs/diagnostics.md lists them; a test checks it).</summary>
public sealed record DiagnosticCode(string Code, Severity Severity, string Meaning)
{
    /// <summary>
    /// A diagnostic of this code. Every part is made safe to print: control characters (newlines included) are
    /// escaped as <c>\uXXXX</c> and lengths are bounded, so a hostile manifest value can never forge a log line.
    /// </summary>
    public Diagnostic At(string obj, string? field, string message) =>
        new(Code, Severity, Printable(obj, 600), field is null ? null : Printable(field, 600), Printable(message, 2000));

    private static string Printable(string text, int max)
    {
        var clean = true;
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                clean = false;
                break;
            }
        }

        if (clean && text.Length <= max)
        {
            return text;
        }

        var builder = new System.Text.StringBuilder(Math.Min(text.Length, max) + 16);
        foreach (var c in text)
        {
            if (builder.Length >= max)
            {
                builder.Append("...");
                break;
            }

            if (char.IsControl(c))
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}

/// <summary>Every code <c>alb</c> can emit. Codes are never reused or renumbered.</summary>
public static class Codes
{
    // 10xx: reading manifests
    public static readonly DiagnosticCode ParseError = new("ALB1001", Severity.Error, "a manifest file or document could not be parsed; the file's last good objects are kept");
    public static readonly DiagnosticCode UnknownKind = new("ALB1002", Severity.Info, "a kind alb does not read; ignored");
    public static readonly DiagnosticCode DuplicateObject = new("ALB1003", Severity.Warning, "the same kind/namespace/name appears twice; the first (by file path) is used");
    public static readonly DiagnosticCode InvalidObject = new("ALB1004", Severity.Error, "an object without a name, or of an unsupported apiVersion; ignored");

    // 11xx: class selection
    public static readonly DiagnosticCode OtherClass = new("ALB1101", Severity.Info, "an Ingress of another ingress class; ignored");
    public static readonly DiagnosticCode NoClass = new("ALB1102", Severity.Info, "an Ingress without a class and no default IngressClass of ours; ignored");

    // 12xx: Ingress spec
    public static readonly DiagnosticCode InvalidHost = new("ALB1201", Severity.Error, "an invalid rule host (uppercase, IP address, bad wildcard, bad label); the rule is dropped");
    public static readonly DiagnosticCode InvalidPath = new("ALB1202", Severity.Error, "a path that does not start with '/' or holds characters not allowed; the path is dropped");
    public static readonly DiagnosticCode InvalidPathType = new("ALB1203", Severity.Error, "a missing or unknown pathType; the path is dropped");
    public static readonly DiagnosticCode InvalidBackend = new("ALB1204", Severity.Error, "a backend naming both or neither of service and resource, or a resource backend; answers 503");
    public static readonly DiagnosticCode DuplicatePath = new("ALB1205", Severity.Warning, "the same host, path and pathType is served by an older Ingress; this one loses");
    public static readonly DiagnosticCode DuplicateDefaultBackend = new("ALB1206", Severity.Warning, "an older rule-less Ingress already provides the catch-all default backend");
    public static readonly DiagnosticCode EmptyIngress = new("ALB1207", Severity.Warning, "an Ingress with neither rules nor a default backend");

    // 13xx: backends
    public static readonly DiagnosticCode ServiceNotFound = new("ALB1301", Severity.Error, "the backend Service does not exist; the route answers 503");
    public static readonly DiagnosticCode ServicePortNotFound = new("ALB1302", Severity.Error, "the Service has no such port (by number or name); the route answers 503");
    public static readonly DiagnosticCode NoReadyEndpoints = new("ALB1303", Severity.Warning, "the Service has no ready endpoints; the route answers 503 until it has");
    public static readonly DiagnosticCode ExternalNameService = new("ALB1304", Severity.Info, "an ExternalName Service; resolved by DNS when requests are forwarded");

    // 14xx: TLS
    public static readonly DiagnosticCode TlsSecretNotFound = new("ALB1401", Severity.Warning, "the TLS Secret does not exist; the default certificate is served for its hosts");
    public static readonly DiagnosticCode TlsSecretInvalid = new("ALB1402", Severity.Warning, "the TLS Secret has a bad certificate or key, or a key that does not match; the default certificate is served");
    public static readonly DiagnosticCode DefaultCertificateInvalid = new("ALB1403", Severity.Error, "--default-ssl-certificate names a missing or invalid Secret; a generated self-signed certificate is used");
    public static readonly DiagnosticCode TlsHostInvalid = new("ALB1404", Severity.Error, "an invalid host in spec.tls; ignored");

    // 15xx: global configuration and annotations
    public static readonly DiagnosticCode ConfigMapNotFound = new("ALB1501", Severity.Warning, "--configmap names a ConfigMap that is not in the manifests; defaults apply");
    public static readonly DiagnosticCode InvalidAnnotation = new("ALB1502", Severity.Error, "retired: annotation values now have a code per family (16xx-24xx)");
    public static readonly DiagnosticCode InvalidConfigMapValue = new("ALB1503", Severity.Error, "a ConfigMap value that does not parse; the default applies");

    public static readonly DiagnosticCode UnknownConfigMapKey = new("ALB1504", Severity.Warning, "a ConfigMap key that is not an ingress-nginx key alb knows; ignored");
    public static readonly DiagnosticCode UnsafeConfigMapValue = new("ALB1505", Severity.Error, "allow-snippet-annotations or annotations-risk-level set looser than the safe default; refused, the safe value applies");

    // 16xx: annotations in general (the screen every Ingress passes first)
    public static readonly DiagnosticCode UnknownAnnotation = new("ALB1601", Severity.Warning, "a key under nginx.ingress.kubernetes.io/ that ingress-nginx does not know (a typo?); ignored");
    public static readonly DiagnosticCode UnsupportedAnnotation = new("ALB1602", Severity.Warning, "an ingress-nginx annotation alb does not honour (yet); the route is served without it");
    public static readonly DiagnosticCode RefusedAnnotation = new("ALB1603", Severity.Error, "a snippet or Critical-risk annotation; the Ingress is not served");
    public static readonly DiagnosticCode AuthNotYetSupported = new("ALB1604", Severity.Error, "an authentication annotation alb does not honour yet; the route answers 503 (fail closed)");
    public static readonly DiagnosticCode IngressRefused = new("ALB1605", Severity.Error, "an annotation value that makes ingress-nginx reject the Ingress; none of its rules are served");

    // 17xx: redirects
    public static readonly DiagnosticCode InvalidRedirect = new("ALB1701", Severity.Error, "a redirect annotation with a bad value (URL, code or boolean); see the message for the outcome");
    public static readonly DiagnosticCode RedirectConflict = new("ALB1702", Severity.Warning, "both temporal-redirect and permanent-redirect are set; temporal-redirect wins, as in ingress-nginx");

    // 18xx: paths, regexes and rewrites
    public static readonly DiagnosticCode InvalidRewrite = new("ALB1801", Severity.Error, "a rewrite-target, x-forwarded-prefix or use-regex value that does not validate; see the message for the outcome");
    public static readonly DiagnosticCode InvalidRegexPath = new("ALB1802", Severity.Error, "a path that is not a valid regex on a host where paths are regexes; the path is dropped");
    public static readonly DiagnosticCode RegexImposed = new("ALB1803", Severity.Warning, "another Ingress of the same host enables use-regex or rewrite-target, so this Ingress's paths are case-insensitive regexes too");

    // 19xx: CORS
    public static readonly DiagnosticCode InvalidCors = new("ALB1901", Severity.Error, "a cors-* value that does not validate; see the message for what applies (a bad origin list allows no origin)");

    // 20xx: source ranges
    public static readonly DiagnosticCode InvalidSourceRange = new("ALB2001", Severity.Error, "an allowlist/denylist source range entry that is not an address or CIDR; the route answers 503 (fail closed)");

    // 21xx: rate limits
    public static readonly DiagnosticCode InvalidRateLimit = new("ALB2101", Severity.Error, "a limit-* value that does not validate; the Ingress is not served, as in ingress-nginx");

    // 22xx: proxy and backend
    public static readonly DiagnosticCode InvalidProxyValue = new("ALB2201", Severity.Error, "a proxy-* or backend annotation value that does not validate; the default applies");
    public static readonly DiagnosticCode InvalidUpstreamVhost = new("ALB2202", Severity.Error, "an upstream-vhost that is not a host name; the Ingress is not served, as in ingress-nginx");

    // 23xx: canary
    public static readonly DiagnosticCode InvalidCanary = new("ALB2301", Severity.Error, "a canary-* value that does not validate; its default applies (weight 0, no header or cookie rule)");
    public static readonly DiagnosticCode CanaryWithoutPrimary = new("ALB2302", Severity.Warning, "a canary path with no primary route of the same host, path and pathType; it is not served (as ingress-nginx)");
    public static readonly DiagnosticCode CanaryIgnored = new("ALB2303", Severity.Warning, "a canary-* key without canary: \"true\", an annotation a canary Ingress does not use, or a second canary for one route; ignored");

    // 24xx: affinity and load balancing
    public static readonly DiagnosticCode InvalidBalance = new("ALB2401", Severity.Error, "an affinity, session-cookie-*, load-balance or upstream-hash-by value that does not validate; see the message for the outcome");

    public static readonly DiagnosticCode PassthroughIgnored = new("ALB2503", Severity.Warning, "ssl-passthrough without --enable-ssl-passthrough, on a host with no \"/\" path, or on a wildcard host; TLS is terminated by alb as usual");

    // 26xx: default backends and error pages
    public static readonly DiagnosticCode InvalidErrorsValue = new("ALB2601", Severity.Error, "a default-backend, custom-http-errors, disable-proxy-intercept-errors or service-upstream value that does not validate, or a default-backend Service that does not exist; see the message for the outcome");

    // 27xx: TLS to backends
    public static readonly DiagnosticCode InvalidBackendTls = new("ALB2701", Severity.Error, "a proxy-ssl-* value that does not validate, or a proxy-ssl-secret that is missing, unusable or in another namespace; see the message for the outcome");

    // 28xx: mirroring
    public static readonly DiagnosticCode InvalidMirror = new("ALB2801", Severity.Error, "a mirror-target or mirror-host that does not validate; requests are not mirrored (or the target's host is sent)");

    // 29xx: authentication
    public static readonly DiagnosticCode InvalidBasicAuth = new("ALB2901", Severity.Error, "an auth-type, auth-secret, auth-secret-type or auth-realm value that does not validate, auth-type: digest, or an auth Secret that is missing, in another namespace or without its key; see the message for the outcome (never served unauthenticated)");
    public static readonly DiagnosticCode HtpasswdEntry = new("ALB2902", Severity.Warning, "an htpasswd entry that does not parse or uses a hash alb refuses (DES, plain text, bcrypt cost above 12); that user cannot log in");
    public static readonly DiagnosticCode InvalidSatisfy = new("ALB2903", Severity.Warning, "a satisfy value other than any or all; all applies");
    public static readonly DiagnosticCode InvalidExternalAuth = new("ALB2911", Severity.Error, "an auth-url family value that does not validate (or a global-auth-* key of the ConfigMap); see the message for the outcome: Ingress not served, route 503, or for the ConfigMap the key ignored");
    public static readonly DiagnosticCode ExternalAuthValueIgnored = new("ALB2912", Severity.Warning, "an auth-signin, auth-signin-redirect-param, auth-cache-key, auth-keepalive* or enable-global-auth value that does not validate; ignored, the external auth still applies");
    public static readonly DiagnosticCode AuthKeptOn = new("ALB2904", Severity.Warning, "a value with which ingress-nginx would drop a route's authentication (fail open); alb keeps the check");

    // 292x: client certificates (mTLS)
    public static readonly DiagnosticCode InvalidClientCert = new("ALB2920", Severity.Error, "an auth-tls-* value that does not validate, an auth-tls-secret that is not namespace/name or in another namespace, an error page alb cannot redirect to, or auth-tls-verify-client/auth-tls-match-cn without auth-tls-secret; see the message for the outcome (never served without the check)");
    public static readonly DiagnosticCode ClientCertSecretUnusable = new("ALB2921", Severity.Error, "an auth-tls-secret that is missing, has no ca.crt, or whose ca.crt or ca.crl does not parse; the Ingress's routes answer 503 and the host's other paths 403");
    public static readonly DiagnosticCode ClientCertValueDefaulted = new("ALB2922", Severity.Warning, "an auth-tls-verify-client or auth-tls-verify-depth value that does not validate (the default applies), or an auth-tls-* key without auth-tls-secret (no effect)");
    public static readonly DiagnosticCode ClientCertConflict = new("ALB2923", Severity.Warning, "an Ingress whose client-certificate settings differ from those an older Ingress set for the same host; the host keeps the older ones (as ingress-nginx)");

    // 293x: JWT (alb.edge.io/auth-jwt-*)
    public static readonly DiagnosticCode InvalidJwt = new("ALB2930", Severity.Error, "an alb.edge.io/auth-jwt-* value that does not validate (issuer, audiences, also when missing, JWKS source, algorithms, required-claims, claims-to-headers, token-source), or an auth-jwt-* key without auth-jwt-issuer; the route answers 503 (fail closed)");
    public static readonly DiagnosticCode JwtValueDefaulted = new("ALB2931", Severity.Warning, "an auth-jwt-clock-skew that does not validate or is above 5m (60s applies)");
    public static readonly DiagnosticCode JwtAlgorithmDropped = new("ALB2932", Severity.Warning, "an auth-jwt-algorithms entry that is refused (none, HS*: never accepted) or not supported (an unknown name, a wrong case); or a JWKS Secret key that is not used (oct, use enc, an OKP curve other than Ed25519); dropped, the others apply");
    public static readonly DiagnosticCode JwksSecretUnusable = new("ALB2933", Severity.Error, "an auth-jwt-jwks-secret that is missing, in another namespace, without the key jwks, or whose JWKS does not parse or holds no RSA, EC or Ed25519 signing key; the route answers 503");
    public static readonly DiagnosticCode UnknownAlbAnnotation = new("ALB2939", Severity.Warning, "a key under alb.edge.io/ that alb does not know (a typo?); ignored");

    // 25xx: servers (hosts)
    public static readonly DiagnosticCode InvalidServerAlias = new("ALB2501", Severity.Error, "a server-alias entry that is not a server name (the Ingress is not served) or one alb cannot serve (skipped), or an ssl-passthrough that is not a boolean");
    public static readonly DiagnosticCode AliasTaken = new("ALB2502", Severity.Warning, "a server-alias or from-to-www-redirect name that another host already has, or a host whose aliases an older Ingress set; not used");

    public static IReadOnlyList<DiagnosticCode> All { get; } =
    [
        ParseError, UnknownKind, DuplicateObject, InvalidObject,
        OtherClass, NoClass,
        InvalidHost, InvalidPath, InvalidPathType, InvalidBackend, DuplicatePath, DuplicateDefaultBackend, EmptyIngress,
        ServiceNotFound, ServicePortNotFound, NoReadyEndpoints, ExternalNameService,
        TlsSecretNotFound, TlsSecretInvalid, DefaultCertificateInvalid, TlsHostInvalid,
        ConfigMapNotFound, InvalidAnnotation, InvalidConfigMapValue, UnknownConfigMapKey, UnsafeConfigMapValue,
        UnknownAnnotation, UnsupportedAnnotation, RefusedAnnotation, AuthNotYetSupported, IngressRefused,
        InvalidRedirect, RedirectConflict,
        InvalidRewrite, InvalidRegexPath, RegexImposed,
        InvalidCors,
        InvalidSourceRange,
        InvalidRateLimit,
        InvalidProxyValue, InvalidUpstreamVhost,
        InvalidCanary, CanaryWithoutPrimary, CanaryIgnored,
        InvalidBalance,
        InvalidServerAlias, AliasTaken, PassthroughIgnored,
        InvalidErrorsValue,
        InvalidBackendTls,
        InvalidMirror,
        InvalidBasicAuth, HtpasswdEntry, InvalidSatisfy, AuthKeptOn, InvalidExternalAuth, ExternalAuthValueIgnored,
        InvalidClientCert, ClientCertSecretUnusable, ClientCertValueDefaulted, ClientCertConflict,
        InvalidJwt, JwtValueDefaulted, JwtAlgorithmDropped, JwksSecretUnusable, UnknownAlbAnnotation,
    ];
}
