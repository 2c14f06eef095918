using Alb.Core.Diagnostics;
using Alb.Core.Policies;
using Alb.Core.Routing;
using static Alb.Core.Annotations.AnnotationText;

namespace Alb.Core.Annotations.Families;

/// <summary>What the redirect family of one Ingress asks for. The HTTPS redirect is decided per host (it needs TLS).</summary>
public sealed record RedirectAnnotations(
    RedirectPolicy? Redirect,
    string? AppRoot,
    bool SslRedirect,
    bool ForceSslRedirect,
    bool PreserveTrailingSlash,
    bool FromToWww)
{
    /// <summary><c>use-port-in-redirects</c>: the HTTPS redirect writes the port even when it is 443.</summary>
    public bool UsePortInRedirects { get; init; }

    /// <summary>
    /// ingress-nginx's <c>redirect</c> and <c>rewrite</c> parsers: temporal-redirect wins over permanent-redirect;
    /// a URL with characters outside <c>URLIsValidRegex</c> or a code that is not a number rejects the Ingress; a code
    /// out of range falls back to 302/301; app-root must be a relative path; bad booleans keep their defaults.
    /// </summary>
    public static Parsed<RedirectAnnotations> Read(AnnotationReader reader, GlobalSettings settings)
    {
        var findings = new Findings(reader);
        var temporal = ReadRedirect(reader, findings, "temporal-redirect", 302, 307);
        var permanent = ReadRedirect(reader, findings, "permanent-redirect", 301, 308);
        if (temporal is not null && permanent is not null)
        {
            findings.Add(Codes.RedirectConflict, "permanent-redirect", "temporal-redirect is set too and wins; this one is not used");
        }

        var fromToWww = false;
        if (reader.Get("from-to-www-redirect") is { Length: > 0 } www && !NginxValues.TryParseBool(www, out fromToWww))
        {
            findings.Add(Codes.InvalidRedirect, "from-to-www-redirect", $"\"{Shown(www)}\" is not a boolean; the Ingress is not served (as ingress-nginx)", BadValueOutcome.RejectIngress);
        }

        // relative-redirects (nginx absolute_redirect off) changes only redirects nginx makes itself, and alb makes
        // none of those; its value is still validated as ingress-nginx does (a bad one refuses the Ingress).
        if (reader.Get("relative-redirects") is { Length: > 0 } relative && !NginxValues.TryParseBool(relative, out _))
        {
            findings.Add(Codes.InvalidRedirect, "relative-redirects", $"\"{Shown(relative)}\" is not a boolean; the Ingress is not served (as ingress-nginx)", BadValueOutcome.RejectIngress);
        }

        return findings.Result(new RedirectAnnotations(
            temporal ?? permanent,
            ReadAppRoot(reader, findings),
            findings.Bool(Codes.InvalidRedirect, "ssl-redirect", settings.SslRedirect),
            findings.Bool(Codes.InvalidRedirect, "force-ssl-redirect", settings.ForceSslRedirect),
            findings.Bool(Codes.InvalidRedirect, "preserve-trailing-slash", false),
            fromToWww)
        {
            UsePortInRedirects = findings.Bool(Codes.InvalidRedirect, "use-port-in-redirects", false),
        });
    }

    private static RedirectPolicy? ReadRedirect(AnnotationReader reader, Findings findings, string name, int defaultCode, int maxCode)
    {
        var url = reader.Get(name)?.Trim();
        if (string.IsNullOrEmpty(url))
        {
            return null;
        }

        if (!Validators.IsUrl(url))
        {
            findings.Add(Codes.InvalidRedirect, name, $"\"{Shown(url)}\" holds characters not allowed in a redirect URL (letters, digits, - . _ ~ / : , ? & =); the Ingress is not served (as ingress-nginx)", BadValueOutcome.RejectIngress);
            return null;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
        {
            findings.Add(Codes.InvalidRedirect, name, $"\"{Shown(url)}\" is not an absolute http or https URL; ignored");
            return null;
        }

        var code = defaultCode;
        var codeName = name + "-code";
        if (reader.Get(codeName) is { Length: > 0 } codeText)
        {
            if (!NginxValues.TryParseInt(codeText, int.MinValue, int.MaxValue, out code))
            {
                findings.Add(Codes.InvalidRedirect, codeName, $"\"{Shown(codeText)}\" is not a number; the Ingress is not served (as ingress-nginx)", BadValueOutcome.RejectIngress);
                return null;
            }

            if (code < 300 || code > maxCode)
            {
                findings.Add(Codes.InvalidRedirect, codeName, $"{code} is outside 300-{maxCode}; {defaultCode} is used");
                code = defaultCode;
            }
        }

        return new RedirectPolicy(url, code);
    }

    private static string? ReadAppRoot(AnnotationReader reader, Findings findings)
    {
        var value = reader.Get("app-root")?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (value[0] != '/' || value.StartsWith("//", StringComparison.Ordinal) || !Validators.IsPathWithCapture(value) || value.Contains('$', StringComparison.Ordinal))
        {
            findings.Add(Codes.InvalidRedirect, "app-root", $"\"{Shown(value)}\" is not a path starting with '/' (letters, digits, - . _ ~ / :); ignored");
            return null;
        }

        return value;
    }
}
