using Alb.Core.Diagnostics;
using Alb.Core.Policies;
using Alb.Core.Routing;
using static Alb.Core.Annotations.AnnotationText;

namespace Alb.Core.Annotations.Families;

/// <summary>
/// ingress-nginx's <c>authreq</c> parser (<c>auth-url</c> and its companions) and the ConfigMap's <c>global-auth-*</c>
/// keys, read by the same code. Outcomes as ingress-nginx v1.15.1 has them, except where it drops the whole auth
/// configuration and serves the route unauthenticated (a bad <c>auth-cache-duration</c>, <c>auth-request-redirect</c>
/// or <c>auth-always-set-cookie</c>): there the route answers 503.
/// </summary>
public static partial class ExternalAuthAnnotations
{
    private static readonly string[] Methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE"];
    private static readonly EquatableArray<AuthCacheRule> DefaultCacheRules = [new AuthCacheRule([200, 202, 401], 300)];
    private const int MaxHeaders = 64;

    /// <summary>The per-Ingress <c>auth-url</c> family; null when the Ingress has no auth-url.</summary>
    public static Parsed<ExternalAuthPolicy?> Read(AnnotationReader reader, string ingressNamespace, GlobalSettings settings, Func<string, string, IDictionary<string, string>?> configMaps) =>
        ReadFrom(reader, global: false, ingressNamespace, settings, configMaps);

    /// <summary>The ConfigMap's <c>global-auth-*</c> keys (a reader with prefix <c>global-</c>); null when global-auth-url is not set.</summary>
    public static Parsed<ExternalAuthPolicy?> ReadGlobal(AnnotationReader reader, GlobalSettings settings) =>
        ReadFrom(reader, global: true, "", settings, static (_, _) => null);

    /// <summary><c>enable-global-auth</c> (default true; a bad value keeps true).</summary>
    public static Parsed<bool> ReadEnableGlobal(AnnotationReader reader)
    {
        var findings = new Findings(reader);
        return findings.Result(findings.Bool(Codes.ExternalAuthValueIgnored, "enable-global-auth", true));
    }

    private static Parsed<ExternalAuthPolicy?> ReadFrom(AnnotationReader reader, bool global, string ingressNamespace, GlobalSettings settings, Func<string, string, IDictionary<string, string>?> configMaps)
    {
        var findings = new Findings(reader);
        var url = reader.Get("auth-url")?.Trim();
        if (string.IsNullOrEmpty(url))
        {
            return findings.Result<ExternalAuthPolicy?>(null);
        }

        var deny = global ? BadValueOutcome.Default : BadValueOutcome.DenyRoute;
        if (!global && !IsUrlWithVariables(url))
        {
            findings.Add(Codes.InvalidExternalAuth, "auth-url", $"\"{Shown(url)}\" holds characters an auth-url may not; the Ingress is not served (as ingress-nginx)", BadValueOutcome.RejectIngress);
            return findings.Result<ExternalAuthPolicy?>(null);
        }

        if (CheckUrl(url) is { } urlProblem)
        {
            findings.Add(Codes.InvalidExternalAuth, "auth-url", $"\"{Shown(url)}\" {urlProblem}; {(global ? "global auth is off" : "the route answers 503 (as ingress-nginx)")}", deny);
            return findings.Result<ExternalAuthPolicy?>(null);
        }

        var policy = new ExternalAuthPolicy(url) { Global = global };
        if (reader.Get("auth-method") is { Length: > 0 } method)
        {
            if (Methods.Contains(method, StringComparer.Ordinal))
            {
                policy = policy with { Method = method };
            }
            else
            {
                findings.Add(Codes.InvalidExternalAuth, "auth-method", $"\"{Shown(method)}\" is not an HTTP method in upper case; {(global ? "GET applies" : "the route answers 503 (as ingress-nginx)")}", deny);
            }
        }

        if (reader.Get("auth-signin")?.Trim() is { Length: > 0 } signin)
        {
            if ((global || IsUrlWithVariables(signin)) && CheckUrl(signin) is null)
            {
                policy = policy with { SigninUrl = signin };
            }
            else
            {
                findings.Add(Codes.ExternalAuthValueIgnored, "auth-signin", $"\"{Shown(signin)}\" is not an http(s) URL alb can expand; ignored: a 401 goes to the client as it is (as ingress-nginx)");
            }
        }

        if (reader.Get("auth-signin-redirect-param")?.Trim() is { Length: > 0 } param)
        {
            if (Validators.IsUrl(param) && !param.Contains('&', StringComparison.Ordinal) && !param.Contains('=', StringComparison.Ordinal))
            {
                policy = policy with { SigninRedirectParam = param };
            }
            else
            {
                findings.Add(Codes.ExternalAuthValueIgnored, "auth-signin-redirect-param", $"\"{Shown(param)}\" is not a query parameter name; rd applies (as ingress-nginx)");
            }
        }

        policy = ReadResponseHeaders(reader, findings, policy, global, deny);
        policy = ReadCache(reader, findings, policy, global, deny);
        if (reader.Get("auth-request-redirect") is { Length: > 0 } redirect)
        {
            if (Validators.IsUrl(redirect))
            {
                policy = policy with { RequestRedirect = redirect };
            }
            else
            {
                findings.Add(Codes.InvalidExternalAuth, "auth-request-redirect", $"\"{Shown(redirect)}\" holds characters it may not; {(global ? "ignored" : "the route answers 503 (ingress-nginx would drop the auth and serve the route unauthenticated)")}", deny);
            }
        }

        if (reader.Get("auth-always-set-cookie") is { Length: > 0 } always)
        {
            if (NginxValues.TryParseBool(always, out var on))
            {
                policy = policy with { AlwaysSetCookie = on };
            }
            else
            {
                findings.Add(Codes.InvalidExternalAuth, "auth-always-set-cookie", $"\"{Shown(always)}\" is not true or false; {(global ? "false applies" : "the route answers 503 (ingress-nginx would drop the auth and serve the route unauthenticated)")}", deny);
            }
        }

        if (!global)
        {
            policy = ReadProxySetHeaders(reader, findings, policy, ingressNamespace, settings, configMaps);
            ReadKeepalive(reader, findings);
        }

        return findings.Result<ExternalAuthPolicy?>(policy);
    }

    private static ExternalAuthPolicy ReadResponseHeaders(AnnotationReader reader, Findings findings, ExternalAuthPolicy policy, bool global, BadValueOutcome deny)
    {
        if (reader.Get("auth-response-headers") is not { Length: > 0 } text)
        {
            return policy;
        }

        var names = NginxValues.SplitList(text);
        var bad = names.Where(n => !IsHeaderName(n)).ToList();
        if (!Validators.IsHeaderList(text) || bad.Count > 0 || names.Length > MaxHeaders)
        {
            findings.Add(Codes.InvalidExternalAuth, "auth-response-headers",
                $"\"{Shown(bad.FirstOrDefault() ?? text)}\" is not a header name (letters, digits, - and _; at most {MaxHeaders}); {(global ? "the valid names are kept" : "the route answers 503 (as ingress-nginx)")}", deny);
            if (!global)
            {
                return policy;
            }
        }

        return policy with { ResponseHeaders = names.Where(IsHeaderName).Take(MaxHeaders).Distinct(StringComparer.OrdinalIgnoreCase).ToEquatableArray() };
    }

    /// <summary>ingress-nginx's auth-url character class: the base set plus <c>, ? &amp; = $</c> and space.</summary>
    private static bool IsUrlWithVariables(string value) =>
        value.Length <= NginxValues.MaxValueLength && value.All(c => Validators.IsAlphaNumeric(c) || c is ',' or '?' or '&' or '=' or '$' or ' ');

    /// <summary>An absolute http(s) URL once its variables are set; every variable one alb evaluates. Null when fine.</summary>
    private static string? CheckUrl(string template)
    {
        if (!HashKey.TryParse(template, out var parts, out var reason))
        {
            return reason;
        }

        var sample = string.Concat(parts.Select(p => p.Part == HashKeyPart.Text ? p.Value : "x"));
        return Uri.TryCreate(sample, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0 && !uri.Host.Contains("..", StringComparison.Ordinal)
            ? null
            : "is not an absolute http(s) URL";
    }

    private static bool IsHeaderName(string name) =>
        name.Length is > 0 and <= 128 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
