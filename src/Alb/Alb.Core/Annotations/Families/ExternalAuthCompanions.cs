using System.Globalization;
using Alb.Core.Diagnostics;
using Alb.Core.Policies;
using Alb.Core.Routing;
using static Alb.Core.Annotations.AnnotationText;

namespace Alb.Core.Annotations.Families;

/// <summary>The auth-url companions with a grammar of their own: the answer cache, auth-proxy-set-headers, auth-keepalive*.</summary>
public static partial class ExternalAuthAnnotations
{
    private static ExternalAuthPolicy ReadCache(AnnotationReader reader, Findings findings, ExternalAuthPolicy policy, bool global, BadValueOutcome deny)
    {
        var key = reader.Get("auth-cache-key")?.Trim();
        if (string.IsNullOrEmpty(key))
        {
            if (reader.Has("auth-cache-duration") && !global)
            {
                findings.Add(Codes.ExternalAuthValueIgnored, "auth-cache-duration", "has no effect without auth-cache-key (as ingress-nginx)");
            }

            return policy;
        }

        var normalized = key.Replace("${", "$", StringComparison.Ordinal).Replace("}", "", StringComparison.Ordinal);
        if (!key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '$' or '{' or '}') || !HashKey.TryParse(normalized, out _, out _))
        {
            findings.Add(Codes.ExternalAuthValueIgnored, "auth-cache-key", $"\"{Shown(key)}\" is not a key of letters, digits, - _ and nginx variables alb evaluates; auth answers are not cached (as ingress-nginx)");
            return policy;
        }

        var rules = DefaultCacheRules;
        if (reader.Get("auth-cache-duration") is { Length: > 0 } durations)
        {
            if (TryParseCacheRules(durations, out var parsed, out var problem))
            {
                rules = parsed;
            }
            else
            {
                findings.Add(Codes.InvalidExternalAuth, "auth-cache-duration", $"\"{Shown(durations)}\" {problem}; {(global ? "200 202 401 5m applies" : "the route answers 503 (ingress-nginx would answer 503, or with other characters serve the route unauthenticated)")}", deny);
                if (!global)
                {
                    return policy;
                }
            }
        }

        return policy with { CacheKey = normalized, CacheRules = rules };
    }

    /// <summary>Comma-separated <c>proxy_cache_valid</c> entries: status codes (or <c>any</c>) then one duration, e.g. <c>200 202 401 5m, 500 10s</c>.</summary>
    internal static bool TryParseCacheRules(string text, out EquatableArray<AuthCacheRule> rules, out string? problem)
    {
        var list = new List<AuthCacheRule>();
        rules = [];
        problem = null;
        foreach (var entry in NginxValues.SplitList(text).Take(16))
        {
            var words = entry.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (!NginxValues.TryParseDuration(words[^1], out var ms) || ms < 1000 || !char.IsAsciiLetter(words[^1][^1]))
            {
                problem = $"entry \"{Shown(entry)}\" does not end with a duration such as 5m or 30s";
                return false;
            }

            var statuses = new List<int>();
            foreach (var word in words[..^1])
            {
                if (word == "any")
                {
                    statuses.Add(0);
                }
                else if (int.TryParse(word, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 100 and <= 599)
                {
                    statuses.Add(code);
                }
                else
                {
                    problem = $"\"{Shown(word)}\" in \"{Shown(entry)}\" is not a status code or any";
                    return false;
                }
            }

            list.Add(new AuthCacheRule(statuses.ToEquatableArray(), ms / 1000));
        }

        if (list.Count == 0)
        {
            problem = "holds no entry";
            return false;
        }

        rules = list.ToEquatableArray();
        return true;
    }

    private static ExternalAuthPolicy ReadProxySetHeaders(AnnotationReader reader, Findings findings, ExternalAuthPolicy policy, string ingressNamespace, GlobalSettings settings, Func<string, string, IDictionary<string, string>?> configMaps)
    {
        if (reader.Get("auth-proxy-set-headers")?.Trim() is not { Length: > 0 } reference)
        {
            return policy;
        }

        if (!Validators.IsBasic(reference))
        {
            findings.Add(Codes.ExternalAuthValueIgnored, "auth-proxy-set-headers", $"\"{Shown(reference)}\" holds characters a ConfigMap name may not; ignored (as ingress-nginx)");
            return policy;
        }

        var parts = reference.Split('/');
        var (ns, name) = parts.Length switch { 1 => (ingressNamespace, parts[0]), 2 => (parts[0], parts[1]), _ => ("", "") };
        string? problem = ns.Length == 0 || name.Length == 0 ? "is not name or namespace/name"
            : ns != ingressNamespace && !settings.AllowCrossNamespaceResources ? $"names ConfigMap {ns}/{name} in another namespace (allow-cross-namespace-resources is off)"
            : null;
        var data = problem is null ? configMaps(ns, name) : null;
        problem ??= data is null ? $"names ConfigMap {ns}/{name}, which does not exist" : null;
        var headers = new List<HeaderValue>();
        foreach (var (header, value) in (data ?? new Dictionary<string, string>()).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!IsHeaderName(header) || value.Length > 4096 || value.Any(char.IsControl) || headers.Count >= MaxHeaders)
            {
                problem ??= $"ConfigMap {ns}/{name} has \"{Shown(header)}\", which is not a header name with a value of at most 4096 characters and no control characters";
                continue;
            }

            headers.Add(new HeaderValue(header, value));
        }

        if (problem is not null)
        {
            findings.Add(Codes.InvalidExternalAuth, "auth-proxy-set-headers", $"\"{Shown(reference)}\" {problem}; the route answers 503 (as ingress-nginx)", BadValueOutcome.DenyRoute);
            return policy;
        }

        return policy with { ProxySetHeaders = headers.ToEquatableArray() };
    }

    /// <summary>auth-keepalive*: alb always keeps auth connections alive in one pool; the values are checked, not used.</summary>
    private static void ReadKeepalive(AnnotationReader reader, Findings findings)
    {
        foreach (var name in new[] { "auth-keepalive", "auth-keepalive-requests", "auth-keepalive-timeout" })
        {
            if (reader.Get(name) is not { Length: > 0 } text)
            {
                continue;
            }

            if (!NginxValues.TryParseInt(text, 0, int.MaxValue, out var value))
            {
                findings.Add(Codes.ExternalAuthValueIgnored, name, $"\"{Shown(text)}\" is not a whole number; ignored (alb keeps auth connections alive in one pool)");
            }
            else if (value == 0 && name != "auth-keepalive")
            {
                // ingress-nginx: a value <= 0 turns auth keep-alive off (with a warning); alb's pool stays on.
                findings.Add(Codes.ExternalAuthValueIgnored, name, "\"0\" must be greater than zero (ingress-nginx then turns auth keep-alive off); ignored (alb keeps auth connections alive in one pool)");
            }
        }

        if (reader.Get("auth-keepalive-share-vars") is { Length: > 0 } share && !NginxValues.TryParseBool(share, out _))
        {
            findings.Add(Codes.ExternalAuthValueIgnored, "auth-keepalive-share-vars", $"\"{Shown(share)}\" is not true or false; ignored");
        }
    }
}
