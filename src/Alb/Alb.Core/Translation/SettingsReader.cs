using Alb.Core.Annotations;
using Alb.Core.Annotations.Families;
using Alb.Core.Diagnostics;
using Alb.Core.Routing;
using Alb.Core.Snapshot;

namespace Alb.Core.Translation;

/// <summary>
/// Reads the global ConfigMap (ingress-nginx keys, names and defaults). A bad value keeps the default and raises a
/// diagnostic; a key alb does not honour raises one too. Values use the same grammar as annotations (<see cref="NginxValues"/>).
/// </summary>
internal static class SettingsReader
{
    private delegate GlobalSettings? Apply(GlobalSettings settings, string value, Action<string> bad);

    private static readonly Dictionary<string, Apply> Keys = new(StringComparer.Ordinal)
    {
        ["proxy-body-size"] = (s, v, bad) => NginxValues.TryParseSize(v, out var b) ? s with { ProxyBodySize = b } : Bad(bad, $"\"{v}\" is not a size (e.g. 8m, 512k, 0 for unlimited); default 1m applies"),
        ["proxy-connect-timeout"] = (s, v, bad) => Seconds(v, bad, 5) is { } n ? s with { ProxyConnectTimeoutSeconds = n } : null,
        ["proxy-send-timeout"] = (s, v, bad) => Seconds(v, bad, 60) is { } n ? s with { ProxySendTimeoutSeconds = n } : null,
        ["proxy-read-timeout"] = (s, v, bad) => Seconds(v, bad, 60) is { } n ? s with { ProxyReadTimeoutSeconds = n } : null,
        ["client-header-timeout"] = (s, v, bad) => Seconds(v, bad, 60) is { } n ? s with { ClientHeaderTimeoutSeconds = n } : null,
        ["proxy-next-upstream-tries"] = (s, v, bad) => NginxValues.TryParseInt(v, 0, 100, out var n) ? s with { ProxyNextUpstreamTries = n } : Bad(bad, $"\"{v}\" is not a whole number in 0-100; default 3 applies"),
        ["ssl-redirect"] = (s, v, bad) => NginxValues.TryParseBool(v, out var on) ? s with { SslRedirect = on } : Bad(bad, $"\"{v}\" is not true or false; default true applies"),
        ["force-ssl-redirect"] = (s, v, bad) => NginxValues.TryParseBool(v, out var on) ? s with { ForceSslRedirect = on } : Bad(bad, $"\"{v}\" is not true or false; default false applies"),
        ["http-redirect-code"] = (s, v, bad) => NginxValues.TryParseInt(v, 301, 308, out var c) && c is 301 or 302 or 307 or 308 ? s with { HttpRedirectCode = c } : Bad(bad, $"\"{v}\" is not 301, 302, 307 or 308; default 308 applies"),
        ["no-auth-locations"] = (s, v, bad) => s with { NoAuthLocations = NginxValues.SplitList(v).ToEquatableArray() },
        ["no-tls-redirect-locations"] = (s, v, bad) => s with { NoTlsRedirectLocations = NginxValues.SplitList(v).ToEquatableArray() },
        ["proxy-request-buffering"] = (s, v, bad) => v is "on" or "off" ? s with { ProxyRequestBuffering = v == "on" } : Bad(bad, $"\"{AnnotationText.Shown(v)}\" is not on or off; default on applies"),
        ["client-body-buffer-size"] = (s, v, bad) => NginxValues.TryParseSize(v, out var b) && b is > 0 and <= 64 * 1024 * 1024 ? s with { ClientBodyBufferSize = (int)b } : Bad(bad, $"\"{AnnotationText.Shown(v)}\" is not a size in 1-64m; default 8k applies"),
        ["client-body-timeout"] = (s, v, bad) => Seconds(v, bad, 60) is { } n ? s with { ClientBodyTimeoutSeconds = n } : null,
        ["custom-http-errors"] = (s, v, bad) => Annotations.Families.ErrorsAnnotations.TryParseCodes(v, 300, 599, out var codes) ? s with { CustomHttpErrors = codes } : Bad(bad, $"\"{AnnotationText.Shown(v)}\" is not a list of codes in 300-599; none are intercepted"),
        ["service-upstream"] = (s, v, bad) => NginxValues.TryParseBool(v, out var on) ? s with { ServiceUpstream = on } : Bad(bad, $"\"{v}\" is not true or false; default false applies"),
        ["global-allowed-response-headers"] = (s, v, bad) => s with { GlobalAllowedResponseHeaders = NginxValues.SplitList(v).Where(h => IsHeaderName(h) || h.Contains('_', StringComparison.Ordinal)).ToEquatableArray() },
        ["proxy-http-version"] = (s, v, bad) => v is "1.0" or "1.1" ? s with { ProxyHttpVersion = v } : Bad(bad, $"\"{AnnotationText.Shown(v)}\" is not 1.0 or 1.1; default 1.1 applies"),
        ["proxy-next-upstream"] = (s, v, bad) => Annotations.Families.ProxyAnnotations.TryParseConditions(v, out var c) ? s with { ProxyNextUpstream = c } : Bad(bad, $"\"{AnnotationText.Shown(v)}\" is not a list of nginx's proxy_next_upstream conditions; default \"error timeout\" applies"),
        ["proxy-next-upstream-timeout"] = (s, v, bad) => NginxValues.TryParseInt(v, 0, 86400, out var n) ? s with { ProxyNextUpstreamTimeoutSeconds = n } : Bad(bad, $"\"{AnnotationText.Shown(v)}\" is not a number of seconds in 0-86400; default 0 applies"),
        ["proxy-buffering"] = (s, v, bad) => v is "on" or "off" ? s with { ProxyBuffering = v == "on" } : Bad(bad, $"\"{AnnotationText.Shown(v)}\" is not on or off; default off applies"),
        ["proxy-max-temp-file-size"] = (s, v, bad) => NginxValues.TryParseSize(v, out var b) && b <= 64L * 1024 * 1024 * 1024 ? s with { ProxyMaxTempFileBytes = b } : Bad(bad, $"\"{AnnotationText.Shown(v)}\" is not a size up to 64g; default 1024m applies"),
        ["ssl-ciphers"] = (s, v, bad) => Ciphers(s, v, bad),
        ["use-proxy-protocol"] = (s, v, bad) => NginxValues.TryParseBool(v, out var on) ? s with { UseProxyProtocol = on } : Bad(bad, $"\"{v}\" is not true or false; default false applies"),
        ["keep-alive"] = (s, v, bad) => NginxValues.TryParseInt(v, 0, 3600, out var n) ? s with { KeepAliveSeconds = n } : Bad(bad, $"\"{AnnotationText.Shown(v)}\" is not a number of seconds in 0-3600; default 75 applies"),
        ["keep-alive-requests"] = (s, v, bad) => NginxValues.TryParseInt(v, 1, 10_000_000, out var n) ? s with { KeepAliveRequests = n } : Bad(bad, $"\"{AnnotationText.Shown(v)}\" is not a number in 1-10000000; default 1000 applies"),
        ["large-client-header-buffers"] = (s, v, bad) => v.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [var count, var size] && NginxValues.TryParseInt(count, 1, 64, out var n) && NginxValues.TryParseSize(size, out var bytes) && bytes is >= 1024 and <= 1024 * 1024 && n * bytes <= 4 * 1024 * 1024
            ? s with { LargeHeaderBuffers = n, LargeHeaderBufferSize = (int)bytes }
            : Bad(bad, $"\"{AnnotationText.Shown(v)}\" is not \"NUMBER SIZE\" (1k-1m each, 4m in all); default \"4 8k\" applies"),
        ["upstream-keepalive-timeout"] = (s, v, bad) => Seconds(v, bad, 60) is { } n ? s with { UpstreamKeepaliveTimeoutSeconds = n } : null,
        ["allow-cross-namespace-resources"] = (s, v, bad) => NginxValues.TryParseBool(v, out var on) ? s with { AllowCrossNamespaceResources = on } : Bad(bad, $"\"{AnnotationText.Shown(v)}\" is not true or false; default false applies"),
        ["upstream-keepalive-requests"] = (s, v, bad) => NginxValues.TryParseInt(v, 0, int.MaxValue, out var n) ? s with { UpstreamKeepaliveRequests = n } : Bad(bad, $"\"{AnnotationText.Shown(v)}\" is not a number of requests; default 1000 applies"),
        ["upstream-keepalive-connections"] = (s, v, bad) => NginxValues.TryParseInt(v, 0, 100_000, out var n) ? s with { UpstreamKeepaliveConnections = n } : Bad(bad, $"\"{AnnotationText.Shown(v)}\" is not a number in 0-100000; default 320 applies"),
        ["ssl-protocols"] = (s, v, bad) => v.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } words && words.All(w => w is "TLSv1.2" or "TLSv1.3")
            ? s with { SslProtocols = string.Join(' ', words.Distinct().Order(StringComparer.Ordinal)) }
            : Bad(bad, $"\"{AnnotationText.Shown(v)}\" is not a list of TLSv1.2 / TLSv1.3 (older versions are refused); default \"TLSv1.2 TLSv1.3\" applies"),
        ["use-forwarded-headers"] = (s, v, bad) => NginxValues.TryParseBool(v, out var on) ? s with { UseForwardedHeaders = on } : Bad(bad, $"\"{v}\" is not true or false; default false applies"),
        ["enable-real-ip"] = (s, v, bad) => NginxValues.TryParseBool(v, out var on) ? s with { EnableRealIp = on } : Bad(bad, $"\"{v}\" is not true or false; default false applies"),
        ["compute-full-forwarded-for"] = (s, v, bad) => NginxValues.TryParseBool(v, out var on) ? s with { ComputeFullForwardedFor = on } : Bad(bad, $"\"{v}\" is not true or false; default false applies"),
        ["forwarded-for-header"] = (s, v, bad) => IsHeaderName(v) ? s with { ForwardedForHeader = v } : Bad(bad, $"\"{AnnotationText.Shown(v)}\" is not a header name; default X-Forwarded-For applies"),
        ["proxy-real-ip-cidr"] = (s, v, bad) => Cidrs(v, bad) is { } list ? s with { ProxyRealIpCidr = list } : null,
        ["hsts"] = (s, v, bad) => NginxValues.TryParseBool(v, out var on) ? s with { Hsts = on } : Bad(bad, $"\"{v}\" is not true or false; default true applies"),
        ["hsts-max-age"] = (s, v, bad) => long.TryParse(v, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var age) && age <= 1_000_000_000 ? s with { HstsMaxAge = age } : Bad(bad, $"\"{AnnotationText.Shown(v)}\" is not a number of seconds; default 31536000 applies"),
        ["hsts-include-subdomains"] = (s, v, bad) => NginxValues.TryParseBool(v, out var on) ? s with { HstsIncludeSubdomains = on } : Bad(bad, $"\"{v}\" is not true or false; default true applies"),
        ["hsts-preload"] = (s, v, bad) => NginxValues.TryParseBool(v, out var on) ? s with { HstsPreload = on } : Bad(bad, $"\"{v}\" is not true or false; default false applies"),
        ["server-tokens"] = (s, v, bad) => NginxValues.TryParseBool(v, out var on) ? s with { ServerTokens = on } : Bad(bad, $"\"{v}\" is not true or false; default false applies"),
        ["limit-req-status-code"] = (s, v, bad) => NginxValues.TryParseInt(v, 400, 599, out var c) ? s with { LimitReqStatusCode = c } : Bad(bad, $"\"{v}\" is not a status code in 400-599; default 503 applies"),
        ["limit-conn-status-code"] = (s, v, bad) => NginxValues.TryParseInt(v, 400, 599, out var c) ? s with { LimitConnStatusCode = c } : Bad(bad, $"\"{v}\" is not a status code in 400-599; default 503 applies"),
    };

    public static GlobalSettings Read(ClusterSnapshot snapshot, string? configMapRef, List<Diagnostic> diagnostics)
    {
        if (string.IsNullOrEmpty(configMapRef))
        {
            return GlobalSettings.Default;
        }

        var (ns, name) = ObjectNames.SplitRef(configMapRef);
        var map = snapshot.FindConfigMap(ns, name);
        var obj = ObjectNames.Of("ConfigMap", ns, name);
        if (map is null)
        {
            diagnostics.Add(Codes.ConfigMapNotFound.At(obj, null, "not found in the manifests; defaults apply"));
            return GlobalSettings.Default;
        }

        var settings = GlobalSettings.Default;
        foreach (var (key, value) in (map.Data ?? new Dictionary<string, string>()).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (key.StartsWith("global-auth-", StringComparison.Ordinal))
            {
                if (key == "global-auth-snippet" && !string.IsNullOrWhiteSpace(value))
                {
                    diagnostics.Add(Codes.UnsafeConfigMapValue.At(obj, $"data.{key}", "is refused: alb has no configuration language; ignored"));
                }
                else if (key is not ("global-auth-url" or "global-auth-method" or "global-auth-signin" or "global-auth-signin-redirect-param" or "global-auth-response-headers"
                    or "global-auth-request-redirect" or "global-auth-cache-key" or "global-auth-cache-duration" or "global-auth-always-set-cookie" or "global-auth-snippet"))
                {
                    diagnostics.Add(Codes.UnknownConfigMapKey.At(obj, $"data.{key}", "is not a key alb honours (see docs/alb-annotations.md for the list); ignored"));
                }

                continue;
            }

            if (key is "allow-snippet-annotations" or "annotations-risk-level")
            {
                settings = CheckSafe(settings, key, value, obj, diagnostics);
                continue;
            }

            if (!Keys.TryGetValue(key, out var apply))
            {
                diagnostics.Add(Codes.UnknownConfigMapKey.At(obj, $"data.{key}", "is not a key alb honours (see docs/alb-annotations.md for the list); ignored"));
                continue;
            }

            var text = value ?? "";
            settings = apply(settings, text, message => diagnostics.Add(Codes.InvalidConfigMapValue.At(obj, $"data.{key}", message))) ?? settings;
        }

        var global = ExternalAuthAnnotations.ReadGlobal(new AnnotationReader(obj, map.Data, "global-", configMap: true), settings);
        diagnostics.AddRange(global.Diagnostics);
        return global.Policy is null ? settings : settings with { GlobalAuth = global.Policy };
    }

    /// <summary>
    /// The two keys that could let raw nginx configuration in: only their safe values are accepted. A stricter risk
    /// level (Medium, Low) is honoured: annotations above it refuse their Ingress, as in ingress-nginx.
    /// </summary>
    private static GlobalSettings CheckSafe(GlobalSettings settings, string key, string? value, string obj, List<Diagnostic> diagnostics)
    {
        if (key == "allow-snippet-annotations")
        {
            if (!NginxValues.TryParseBool(value, out var allow) || allow)
            {
                diagnostics.Add(Codes.UnsafeConfigMapValue.At(obj, $"data.{key}",
                    $"\"{AnnotationText.Shown(value ?? "")}\" is refused: alb has no configuration language, so snippet annotations are never accepted; false applies"));
            }

            return settings;
        }

        AnnotationRisk? level = value?.ToLowerInvariant() switch
        {
            "high" => AnnotationRisk.High,
            "medium" => AnnotationRisk.Medium,
            "low" => AnnotationRisk.Low,
            _ => null,
        };
        if (level is null)
        {
            diagnostics.Add(Codes.UnsafeConfigMapValue.At(obj, $"data.{key}",
                $"\"{AnnotationText.Shown(value ?? "")}\" is refused (High, Medium or Low): Critical annotations carry raw nginx configuration and are never accepted; High applies"));
            return settings;
        }

        return settings with { AnnotationsRiskLevel = level.Value };
    }

    /// <summary>ssl-ciphers: the names alb offers are kept; unknown names (and OpenSSL keywords) are reported; none known keeps the default.</summary>
    private static GlobalSettings? Ciphers(GlobalSettings settings, string value, Action<string> bad)
    {
        var suites = Tls.CipherNames.Parse(value, out var unknown);
        if (suites.Length == 0)
        {
            return Bad(bad, $"\"{AnnotationText.Shown(value)}\" names no TLS 1.2 suite alb offers; ingress-nginx's default list applies");
        }

        if (unknown.Count > 0)
        {
            bad($"{string.Join(", ", unknown.Take(5).Select(u => $"\"{AnnotationText.Shown(u)}\""))} {(unknown.Count == 1 ? "is" : "are")} not offered by alb (OpenSSL cipher keywords are not evaluated); the other {suites.Length} suites apply");
        }

        return settings with { SslCiphers = string.Join(':', value.Split(':', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Where(n => !unknown.Contains(n))) };
    }

    private static bool IsHeaderName(string value) =>
        value.Length is > 0 and <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    /// <summary>A comma list of addresses or CIDRs; one bad entry keeps the default (a trust list is all or nothing).</summary>
    private static EquatableArray<string>? Cidrs(string text, Action<string> bad)
    {
        var list = new List<string>();
        foreach (var entry in NginxValues.SplitList(text))
        {
            if (!NginxValues.TryParseCidr(entry, out var network))
            {
                bad($"\"{AnnotationText.Shown(entry)}\" is not an address or CIDR; default 0.0.0.0/0 applies");
                return null;
            }

            list.Add(network.ToString());
        }

        return list.ToEquatableArray();
    }

    private static int? Seconds(string text, Action<string> bad, int fallback)
    {
        if (NginxValues.TryParseInt(text, 1, 86400, out var seconds))
        {
            return seconds;
        }

        bad($"\"{text}\" is not a whole number of seconds in 1-86400; default {fallback} applies");
        return null;
    }

    private static GlobalSettings? Bad(Action<string> bad, string message)
    {
        bad(message);
        return null;
    }
}
