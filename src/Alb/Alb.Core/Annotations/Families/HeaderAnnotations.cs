using Alb.Core.Diagnostics;
using Alb.Core.Policies;
using Alb.Core.Routing;
using static Alb.Core.Annotations.AnnotationText;

namespace Alb.Core.Annotations.Families;

/// <summary>
/// <c>custom-headers</c> (a ConfigMap <c>namespace/name</c> of response headers, each allowed by the ConfigMap's
/// <c>global-allowed-response-headers</c>; anything wrong denies the route, as ingress-nginx),
/// <c>proxy-cookie-domain</c>, <c>proxy-cookie-path</c>, <c>proxy-redirect-from</c>/<c>-to</c>,
/// <c>connection-proxy-header</c> (a bad value rejects the Ingress) and <c>proxy-http-version</c>.
/// </summary>
public static class HeaderAnnotations
{
    public static Parsed<AnswerRewritePolicy?> Read(AnnotationReader reader, GlobalSettings settings, Func<string, string, IDictionary<string, string>?> configMap, string ingressNamespace)
    {
        var findings = new Findings(reader);
        var (domainFrom, domainTo) = Pair(reader, findings, "proxy-cookie-domain", c => Validators.IsAlphaNumeric(c));
        var (pathFrom, pathTo) = Pair(reader, findings, "proxy-cookie-path", c => Validators.IsAlphaNumeric(c) || c is ',' or '?' or '&' or '=');
        string? redirectFrom = null;
        string? redirectTo = null;
        if (reader.Get("proxy-redirect-from")?.Trim() is { Length: > 0 } from && from is not ("off" or "default"))
        {
            var to = reader.Get("proxy-redirect-to")?.Trim();
            if (!Validators.IsUrl(from) || string.IsNullOrEmpty(to) || !Validators.IsUrl(to))
            {
                findings.Add(Codes.InvalidProxyValue, "proxy-redirect-from", $"\"{Shown(from)}\" with proxy-redirect-to \"{Shown(to ?? "")}\" is not a pair of URL prefixes; Location is not rewritten");
            }
            else if (to != "off")
            {
                (redirectFrom, redirectTo) = (from, to);
            }
        }

        var headers = CustomHeaders(reader, findings, settings, configMap, ingressNamespace);
        var policy = domainFrom is null && pathFrom is null && redirectFrom is null && headers.Count == 0
            ? null
            : new AnswerRewritePolicy(domainFrom, domainTo, pathFrom, pathTo, redirectFrom, redirectTo, headers);
        return findings.Result(policy);
    }

    /// <summary>connection-proxy-header: close or keep-alive; anything else rejects the Ingress (ingress-nginx).</summary>
    public static Parsed<string?> ReadConnection(AnnotationReader reader)
    {
        var findings = new Findings(reader);
        var text = reader.Get("connection-proxy-header");
        if (string.IsNullOrEmpty(text))
        {
            return findings.Result<string?>(null);
        }

        var value = text.Replace(" ", "", StringComparison.Ordinal);
        if (value is "close" or "keep-alive")
        {
            return findings.Result<string?>(value);
        }

        findings.Add(Codes.InvalidProxyValue, "connection-proxy-header", $"\"{Shown(text)}\" is not close or keep-alive; the Ingress is not served (as ingress-nginx)", BadValueOutcome.RejectIngress);
        return findings.Result<string?>(null);
    }

    private static (string? From, string? To) Pair(AnnotationReader reader, Findings findings, string name, Func<char, bool> allowed)
    {
        var text = reader.Get(name)?.Trim();
        if (string.IsNullOrEmpty(text) || text == "off")
        {
            return (null, null);
        }

        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 2 && parts.All(p => p.Length <= 256 && p.All(allowed)))
        {
            return (parts[0], parts[1]);
        }

        findings.Add(Codes.InvalidProxyValue, name, $"\"{Shown(text)}\" is not \"off\" or \"FROM TO\"; cookies are not rewritten");
        return (null, null);
    }

    private static EquatableArray<HeaderValue> CustomHeaders(AnnotationReader reader, Findings findings, GlobalSettings settings, Func<string, string, IDictionary<string, string>?> configMap, string ingressNamespace)
    {
        var reference = reader.Get("custom-headers")?.Trim();
        if (string.IsNullOrEmpty(reference))
        {
            return [];
        }

        if (!Validators.IsBasic(reference))
        {
            findings.Add(Codes.InvalidProxyValue, "custom-headers", $"\"{Shown(reference)}\" is not a ConfigMap reference; ignored (as ingress-nginx)");
            return [];
        }

        var slash = reference.IndexOf('/', StringComparison.Ordinal);
        var (ns, name) = slash < 0 ? (ingressNamespace, reference) : (reference[..slash], reference[(slash + 1)..]);
        if (configMap(ns, name) is not { } data)
        {
            findings.Add(Codes.InvalidProxyValue, "custom-headers", $"ConfigMap {ns}/{name} is not in the manifests; the route answers 503 (as ingress-nginx)", BadValueOutcome.DenyRoute);
            return [];
        }

        var headers = new List<HeaderValue>();
        foreach (var (header, value) in data.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (header.Length is 0 or > 128 || !header.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ||
                value is null || value.Length > 4096 || value.Any(c => char.IsControl(c)))
            {
                findings.Add(Codes.InvalidProxyValue, "custom-headers", $"ConfigMap {ns}/{name} key \"{Shown(header)}\" is not a header name with a printable value; the route answers 503 (as ingress-nginx)", BadValueOutcome.DenyRoute);
                return [];
            }

            if (!settings.GlobalAllowedResponseHeaders.Contains(header))
            {
                findings.Add(Codes.InvalidProxyValue, "custom-headers", $"header \"{header}\" is not in the ConfigMap's global-allowed-response-headers; the route answers 503 (as ingress-nginx)", BadValueOutcome.DenyRoute);
                return [];
            }

            headers.Add(new HeaderValue(header, value));
        }

        return headers.ToEquatableArray();
    }
}
