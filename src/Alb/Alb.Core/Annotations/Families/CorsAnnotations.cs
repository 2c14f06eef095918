using Alb.Core.Diagnostics;
using Alb.Core.Policies;
using Alb.Core.Routing;
using static Alb.Core.Annotations.AnnotationText;

namespace Alb.Core.Annotations.Families;

/// <summary>
/// ingress-nginx's <c>cors</c> parser. Differences, on purpose: a <c>cors-allow-origin</c> that fails validation
/// allows no origin (ingress-nginx falls back to <c>*</c>), and origins are matched whole (ingress-nginx's regex is
/// anchored at the end only).
/// </summary>
public static class CorsAnnotations
{
    public const string DefaultMethods = "GET, PUT, POST, DELETE, PATCH, OPTIONS";
    public const string DefaultHeaders = "DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization";
    public const int DefaultMaxAge = 1728000;

    public static Parsed<CorsPolicy?> Read(AnnotationReader reader)
    {
        var findings = new Findings(reader);
        var enabled = false;
        if (reader.Get("enable-cors") is { Length: > 0 } enableText && !NginxValues.TryParseBool(enableText, out enabled))
        {
            findings.Add(Codes.InvalidCors, "enable-cors", $"\"{Shown(enableText)}\" is not a boolean; CORS stays off");
        }

        if (!enabled)
        {
            return findings.Result<CorsPolicy?>(null);
        }

        var (any, origins, wildcards) = ReadOrigins(reader, findings);
        var methods = ReadList(reader, findings, "cors-allow-methods", DefaultMethods, IsMethodList);
        var headers = ReadList(reader, findings, "cors-allow-headers", DefaultHeaders, Validators.IsHeaderList);
        var expose = ReadList(reader, findings, "cors-expose-headers", "", IsExposeList);

        var credentials = true;
        if (reader.Get("cors-allow-credentials") is { Length: > 0 } credText && !NginxValues.TryParseBool(credText, out credentials))
        {
            findings.Add(Codes.InvalidCors, "cors-allow-credentials", $"\"{Shown(credText)}\" is not a boolean; default true applies");
            credentials = true;
        }

        var maxAge = DefaultMaxAge;
        if (reader.Get("cors-max-age") is { Length: > 0 } ageText && !NginxValues.TryParseInt(ageText, 0, int.MaxValue, out maxAge))
        {
            findings.Add(Codes.InvalidCors, "cors-max-age", $"\"{Shown(ageText)}\" is not a number of seconds; default {DefaultMaxAge} applies");
            maxAge = DefaultMaxAge;
        }

        return findings.Result<CorsPolicy?>(new CorsPolicy(any, origins, wildcards, methods, headers, expose.Length == 0 ? null : expose, credentials, maxAge));
    }

    private static (bool Any, EquatableArray<string> Origins, EquatableArray<WildcardOrigin> Wildcards) ReadOrigins(AnnotationReader reader, Findings findings)
    {
        var text = reader.Get("cors-allow-origin");
        if (string.IsNullOrWhiteSpace(text))
        {
            return (true, [], []);
        }

        if (text.Length > NginxValues.MaxValueLength || NginxValues.HasForbiddenCharacters(text))
        {
            findings.Add(Codes.InvalidCors, "cors-allow-origin", $"\"{Shown(text)}\" is not a list of origins; no origin is allowed (ingress-nginx would allow every origin)");
            return (false, [], []);
        }

        var origins = new List<string>();
        var wildcards = new List<WildcardOrigin>();
        foreach (var entry in NginxValues.SplitList(text))
        {
            if (entry == "*")
            {
                return (true, [], []);
            }

            if (TryParseOrigin(entry, out var exact, out var wildcard))
            {
                if (wildcard is not null)
                {
                    wildcards.Add(wildcard);
                }
                else
                {
                    origins.Add(exact!);
                }
            }
            else
            {
                findings.Add(Codes.InvalidCors, "cors-allow-origin", $"\"{Shown(entry)}\" is not an origin (http[s]://host[:port], or http[s]://*.domain for one label); skipped");
            }
        }

        if (origins.Count == 0 && wildcards.Count == 0)
        {
            findings.Add(Codes.InvalidCors, "cors-allow-origin", "holds no valid origin; no origin is allowed (ingress-nginx would allow every origin)");
        }

        return (false, origins.ToEquatableArray(), wildcards.ToEquatableArray());
    }

    /// <summary><c>https?://(*.)?[A-Za-z0-9-.]+(:port)?</c>, ingress-nginx's per-origin regex; stored lower-case.</summary>
    public static bool TryParseOrigin(string entry, out string? exact, out WildcardOrigin? wildcard)
    {
        exact = null;
        wildcard = null;
        var lower = entry.ToLowerInvariant();
        var scheme = lower.StartsWith("https://", StringComparison.Ordinal) ? "https" : lower.StartsWith("http://", StringComparison.Ordinal) ? "http" : null;
        if (scheme is null)
        {
            return false;
        }

        var rest = lower[(scheme.Length + 3)..];
        string? port = null;
        var colon = rest.LastIndexOf(':');
        if (colon >= 0)
        {
            port = rest[(colon + 1)..];
            rest = rest[..colon];
            if (!NginxValues.TryParseInt(port, 1, 65535, out _) || port[0] is '+' or '-')
            {
                return false;
            }
        }

        var isWildcard = rest.StartsWith("*.", StringComparison.Ordinal);
        var host = isWildcard ? rest[2..] : rest;
        if (host.Length is 0 or > 253 || host.Any(c => c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.')))
        {
            return false;
        }

        if (isWildcard)
        {
            wildcard = new WildcardOrigin(scheme, host, port);
        }
        else
        {
            exact = port is null ? $"{scheme}://{host}" : $"{scheme}://{host}:{port}";
        }

        return true;
    }

    private static string ReadList(AnnotationReader reader, Findings findings, string name, string fallback, Func<string, bool> valid)
    {
        var text = reader.Get(name)?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        if (valid(text))
        {
            return text;
        }

        findings.Add(Codes.InvalidCors, name, $"\"{Shown(text)}\" is not a valid list; {(fallback.Length == 0 ? "none is sent" : "the default applies")}");
        return fallback;
    }

    private static bool IsMethodList(string text) =>
        text.Length <= 512 && text.All(c => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or ',' or ' ') && text.Any(char.IsLetter);

    private static bool IsExposeList(string text) =>
        text.Length <= NginxValues.MaxValueLength &&
        text.All(c => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '*' or ',' or ' ');
}
