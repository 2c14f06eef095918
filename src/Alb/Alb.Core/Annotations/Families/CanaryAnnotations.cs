using Alb.Core.Diagnostics;
using Alb.Core.Routing;
using static Alb.Core.Annotations.AnnotationText;

namespace Alb.Core.Annotations.Families;

/// <summary>
/// ingress-nginx's <c>canary</c> parser: <c>canary: "true"</c> makes the Ingress a canary whose backend joins the
/// primary route with the same host, path and pathType; bad values fall back (weight 0, total 100, empty header or
/// cookie). Without <c>canary: "true"</c> the canary-* keys are ignored and the Ingress is a normal one.
/// </summary>
public sealed record CanaryAnnotations(string? Header, string? HeaderValue, string? HeaderPattern, bool HeaderPatternInvalid, string? Cookie, int Weight, int WeightTotal)
{
    public static Parsed<CanaryAnnotations?> Read(AnnotationReader reader)
    {
        var findings = new Findings(reader);
        var isCanary = false;
        if (reader.Get("canary") is { Length: > 0 } text && !NginxValues.TryParseBool(text, out isCanary))
        {
            findings.Add(Codes.InvalidCanary, "canary", $"\"{Shown(text)}\" is not a boolean; the Ingress is not a canary");
        }

        if (!isCanary)
        {
            foreach (var name in reader.Names.Where(n => n.StartsWith("canary-", StringComparison.Ordinal)))
            {
                findings.Add(Codes.CanaryIgnored, name, "is ignored: the Ingress does not set canary: \"true\", so it is served as a normal Ingress (as ingress-nginx)");
            }

            return findings.Result<CanaryAnnotations?>(null);
        }

        var header = Name(reader, findings, "canary-by-header");
        var value = Name(reader, findings, "canary-by-header-value");
        var cookie = Name(reader, findings, "canary-by-cookie");
        string? pattern = null;
        var patternInvalid = false;
        if (reader.Get("canary-by-header-pattern") is { Length: > 0 } patternText)
        {
            if (!Validators.IsServerName(patternText))
            {
                findings.Add(Codes.InvalidCanary, "canary-by-header-pattern", $"\"{Shown(patternText)}\" holds characters not allowed in a pattern; ignored");
            }
            else if (!CanaryPattern.TryCompile(patternText, out _))
            {
                // ingress-nginx compiles the pattern per request: an error sends the request to the primary at once.
                findings.Add(Codes.InvalidCanary, "canary-by-header-pattern", $"\"{Shown(patternText)}\" is not a regex alb runs (no back-references or look-arounds); a request carrying the header goes to the primary, as ingress-nginx does on a regex error");
                pattern = patternText;
                patternInvalid = true;
            }
            else
            {
                pattern = patternText;
            }
        }

        var weight = Int(reader, findings, "canary-weight", 0);
        var total = Int(reader, findings, "canary-weight-total", 100);
        return findings.Result<CanaryAnnotations?>(new CanaryAnnotations(header, value, pattern, patternInvalid, cookie, weight, total > 100 ? total : 100));
    }

    private static string? Name(AnnotationReader reader, Findings findings, string name)
    {
        var text = reader.Get(name)?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (Validators.IsBasic(text) && text.Length <= 256)
        {
            return text;
        }

        findings.Add(Codes.InvalidCanary, name, $"\"{Shown(text)}\" holds characters not allowed (letters, digits, - . _ ~ / :); ignored");
        return null;
    }

    private static int Int(AnnotationReader reader, Findings findings, string name, int fallback)
    {
        if (reader.Get(name) is not { Length: > 0 } text)
        {
            return fallback;
        }

        if (NginxValues.TryParseInt(text, int.MinValue, int.MaxValue, out var value))
        {
            return value;
        }

        findings.Add(Codes.InvalidCanary, name, $"\"{Shown(text)}\" is not a whole number; {fallback} applies");
        return fallback;
    }
}
