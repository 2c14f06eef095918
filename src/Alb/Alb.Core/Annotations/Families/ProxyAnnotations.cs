using Alb.Core.Diagnostics;
using Alb.Core.Policies;
using Alb.Core.Routing;
using static Alb.Core.Annotations.AnnotationText;

namespace Alb.Core.Annotations.Families;

/// <summary>
/// The per-route backend settings: <c>backend-protocol</c>, <c>upstream-vhost</c>, <c>proxy-body-size</c>,
/// <c>proxy-connect/send/read-timeout</c>, <c>proxy-next-upstream-tries</c>. As ingress-nginx's <c>proxy</c> parser,
/// a bad proxy-* value falls back to the ConfigMap's; a bad upstream-vhost rejects the Ingress.
/// </summary>
public static class ProxyAnnotations
{
    public static Parsed<UpstreamPolicy> Read(AnnotationReader reader, GlobalSettings settings)
    {
        var findings = new Findings(reader);
        var defaults = UpstreamPolicy.From(settings);
        var policy = defaults with
        {
            Protocol = ReadProtocol(reader, findings),
            Host = ReadVhost(reader, findings),
            BodySize = ReadSize(reader, findings, "proxy-body-size", defaults.BodySize),
            ConnectTimeoutMs = Seconds(reader, findings, "proxy-connect-timeout", defaults.ConnectTimeoutMs),
            SendTimeoutMs = Seconds(reader, findings, "proxy-send-timeout", defaults.SendTimeoutMs),
            ReadTimeoutMs = Seconds(reader, findings, "proxy-read-timeout", defaults.ReadTimeoutMs),
            NextUpstreamTries = Tries(reader, findings, defaults.NextUpstreamTries),
            RequestBuffering = findings.OnOff(Codes.InvalidProxyValue, "proxy-request-buffering", defaults.RequestBuffering),
            BodyBufferSize = BufferSize(reader, findings, defaults.BodyBufferSize),
            HttpVersion = Version(reader, findings, defaults.HttpVersion),
            NextUpstream = Conditions(reader, findings, defaults.NextUpstream),
            ResponseBuffering = findings.OnOff(Codes.InvalidProxyValue, "proxy-buffering", defaults.ResponseBuffering),
            ResponseBufferBytes = BufferBytes(reader, findings, defaults.ResponseBufferBytes),
            ResponseTempFileBytes = ReadSize(reader, findings, "proxy-max-temp-file-size", defaults.ResponseTempFileBytes),
            LimitRateBytes = KiloBytes(reader, findings, "limit-rate"),
            LimitRateAfterBytes = KiloBytes(reader, findings, "limit-rate-after"),
            NextUpstreamTimeoutSeconds = reader.Get("proxy-next-upstream-timeout") is { Length: > 0 } budget
                ? (NginxValues.TryParseInt(budget, 0, 86400, out var seconds) ? seconds : Bad(findings, "proxy-next-upstream-timeout", budget, defaults.NextUpstreamTimeoutSeconds))
                : defaults.NextUpstreamTimeoutSeconds,
        };
        return findings.Result(policy);
    }

    private static UpstreamProtocol ReadProtocol(AnnotationReader reader, Findings findings)
    {
        var text = reader.Get("backend-protocol");
        if (string.IsNullOrEmpty(text))
        {
            return UpstreamProtocol.Http;
        }

        switch (text.Trim().ToUpperInvariant())
        {
            case "HTTP" or "AUTO_HTTP":
                return UpstreamProtocol.Http;
            case "HTTPS":
                return UpstreamProtocol.Https;
            case "GRPC":
                return UpstreamProtocol.Grpc;
            case "GRPCS":
                return UpstreamProtocol.Grpcs;
            case "FCGI":
                findings.Add(Codes.InvalidProxyValue, "backend-protocol", "FCGI backends are not supported; HTTP is used");
                return UpstreamProtocol.Http;
            default:
                findings.Add(Codes.InvalidProxyValue, "backend-protocol", $"\"{Shown(text)}\" is not HTTP, HTTPS, AUTO_HTTP, GRPC or GRPCS; HTTP is used");
                return UpstreamProtocol.Http;
        }
    }

    /// <summary>A host name, optionally with a port; nginx variables are not expanded by alb, so '$' is refused too.</summary>
    private static string? ReadVhost(AnnotationReader reader, Findings findings)
    {
        var text = reader.Get("upstream-vhost")?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var host = text;
        var colon = text.LastIndexOf(':');
        var portOk = colon < 0 || NginxValues.TryParseInt(text[(colon + 1)..], 1, 65535, out _);
        if (colon >= 0)
        {
            host = text[..colon];
        }

        if (!portOk || host.Length is 0 or > 253 || host.Any(c => c is not ((>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '.' or '_')))
        {
            findings.Add(Codes.InvalidUpstreamVhost, "upstream-vhost", $"\"{Shown(text)}\" is not a host name (with an optional :port); the Ingress is not served (as ingress-nginx for characters it refuses; alb does not expand nginx variables)", BadValueOutcome.RejectIngress);
            return null;
        }

        return text;
    }

    private static long ReadSize(AnnotationReader reader, Findings findings, string name, long fallback)
    {
        if (reader.Get(name) is not { Length: > 0 } text)
        {
            return fallback;
        }

        if (NginxValues.TryParseSize(text, out var bytes))
        {
            return bytes;
        }

        findings.Add(Codes.InvalidProxyValue, name, $"\"{Shown(text)}\" is not a size (e.g. 8m, 512k, 0 for unlimited); the ConfigMap's {fallback} bytes apply");
        return fallback;
    }

    private static int Seconds(AnnotationReader reader, Findings findings, string name, int fallbackMs)
    {
        if (reader.Get(name) is not { Length: > 0 } text)
        {
            return fallbackMs;
        }

        if (NginxValues.TryParseInt(text, 1, 86400, out var seconds))
        {
            return seconds * 1000;
        }

        findings.Add(Codes.InvalidProxyValue, name, $"\"{Shown(text)}\" is not a whole number of seconds in 1-86400; the ConfigMap's {fallbackMs / 1000} s apply");
        return fallbackMs;
    }

    /// <summary>client-body-buffer-size: a size without g (ingress-nginx renders only [0-9]+[kKmM]?); bounded to 64m.</summary>
    private static int BufferSize(AnnotationReader reader, Findings findings, int fallback)
    {
        if (reader.Get("client-body-buffer-size") is not { Length: > 0 } text)
        {
            return fallback;
        }

        var compact = text.Replace(" ", "", StringComparison.Ordinal);
        var sizeShaped = compact.Length is > 0 and <= 20 && compact.TrimEnd('b', 'B', 'k', 'K', 'm', 'M', 'g', 'G').All(char.IsAsciiDigit) && char.IsAsciiDigit(compact[0]) && compact.Length - compact.TrimEnd('b', 'B', 'k', 'K', 'm', 'M', 'g', 'G').Length <= 1;
        if (!sizeShaped)
        {
            findings.Add(Codes.InvalidProxyValue, "client-body-buffer-size", $"\"{Shown(text)}\" is not a size; the Ingress is not served (as ingress-nginx)", BadValueOutcome.RejectIngress);
            return fallback;
        }

        if (compact[^1] is not ('g' or 'G' or 'b' or 'B') && NginxValues.TryParseSize(compact, out var bytes) && bytes is > 0 and <= 64 * 1024 * 1024)
        {
            return (int)bytes;
        }

        findings.Add(Codes.InvalidProxyValue, "client-body-buffer-size", $"\"{Shown(text)}\" is not a size nginx takes here, or is over 64m; the ConfigMap's {fallback} bytes apply (as ingress-nginx renders nothing)");
        return fallback;
    }

    /// <summary>proxy-next-upstream: words of nginx's list separated by spaces; "off" alone turns retries off.</summary>
    public static bool TryParseConditions(string text, out NextUpstream conditions)
    {
        conditions = NextUpstream.Off;
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length is 0 or > 12)
        {
            return false;
        }

        foreach (var word in words)
        {
            NextUpstream? flag = word switch
            {
                "error" => NextUpstream.Error,
                "timeout" => NextUpstream.Timeout,
                "invalid_header" => NextUpstream.InvalidHeader,
                "http_500" => NextUpstream.Http500,
                "http_502" => NextUpstream.Http502,
                "http_503" => NextUpstream.Http503,
                "http_504" => NextUpstream.Http504,
                "http_403" => NextUpstream.Http403,
                "http_404" => NextUpstream.Http404,
                "http_429" => NextUpstream.Http429,
                "non_idempotent" => NextUpstream.NonIdempotent,
                "off" => NextUpstream.Off,
                _ => null,
            };
            if (flag is null)
            {
                return false;
            }

            conditions |= flag.Value;
        }

        if (words.Contains("off"))
        {
            conditions = NextUpstream.Off;
        }

        return true;
    }

    private static NextUpstream Conditions(AnnotationReader reader, Findings findings, NextUpstream fallback)
    {
        var text = reader.Get("proxy-next-upstream")?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        if (TryParseConditions(text, out var conditions))
        {
            return conditions;
        }

        findings.Add(Codes.InvalidProxyValue, "proxy-next-upstream", $"\"{Shown(text)}\" is not a list of error, timeout, invalid_header, http_500/502/503/504/403/404/429, non_idempotent or off; the ConfigMap's applies");
        return fallback;
    }

    /// <summary>proxy-buffers-number × proxy-buffer-size, each falling back to 4 / 4k; bounded to 64m in all.</summary>
    private static int BufferBytes(AnnotationReader reader, Findings findings, int fallback)
    {
        var size = 4096L;
        var number = 4;
        if (reader.Get("proxy-buffer-size") is { Length: > 0 } sizeText && !(NginxValues.TryParseSize(sizeText, out size) && size is >= 1024 and <= 16 * 1024 * 1024))
        {
            findings.Add(Codes.InvalidProxyValue, "proxy-buffer-size", $"\"{Shown(sizeText)}\" is not a size in 1k-16m; 4k applies");
            size = 4096;
        }

        if (reader.Get("proxy-buffers-number") is { Length: > 0 } numberText && !NginxValues.TryParseInt(numberText, 1, 1024, out number))
        {
            findings.Add(Codes.InvalidProxyValue, "proxy-buffers-number", $"\"{Shown(numberText)}\" is not a number in 1-1024; 4 applies");
            number = 4;
        }

        return reader.Has("proxy-buffer-size") || reader.Has("proxy-buffers-number") ? (int)Math.Min(size * number, 64L * 1024 * 1024) : fallback;
    }

    /// <summary>limit-rate / limit-rate-after: whole KiB (ingress-nginx renders "{n}k"); a bad value rejects the Ingress (its ratelimit parser).</summary>
    private static long KiloBytes(AnnotationReader reader, Findings findings, string name)
    {
        if (reader.Get(name) is not { Length: > 0 } text)
        {
            return 0;
        }

        if (NginxValues.TryParseInt(text, 0, 10_000_000, out var kib))
        {
            return kib * 1024L;
        }

        findings.Add(Codes.InvalidRateLimit, name, $"\"{Shown(text)}\" is not a whole number of KiB in 0-10000000; the Ingress is not served (as ingress-nginx)", BadValueOutcome.RejectIngress);
        return 0;
    }

    private static int Bad(Findings findings, string name, string text, int fallback)
    {
        findings.Add(Codes.InvalidProxyValue, name, $"\"{Shown(text)}\" is not a whole number of seconds in 0-86400; the ConfigMap's {fallback} applies");
        return fallback;
    }

    private static string Version(AnnotationReader reader, Findings findings, string fallback)
    {
        var text = reader.Get("proxy-http-version")?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        if (text is "1.0" or "1.1")
        {
            return text;
        }

        findings.Add(Codes.InvalidProxyValue, "proxy-http-version", $"\"{Shown(text)}\" is not 1.0 or 1.1; the ConfigMap's {fallback} applies");
        return fallback;
    }

    private static int Tries(AnnotationReader reader, Findings findings, int fallback)
    {
        if (reader.Get("proxy-next-upstream-tries") is not { Length: > 0 } text)
        {
            return fallback;
        }

        if (NginxValues.TryParseInt(text, 0, 100, out var tries))
        {
            return tries;
        }

        findings.Add(Codes.InvalidProxyValue, "proxy-next-upstream-tries", $"\"{Shown(text)}\" is not a whole number in 0-100; the ConfigMap's {fallback} applies");
        return fallback;
    }
}
