using Alb.Core.Diagnostics;
using Alb.Core.Policies;
using static Alb.Core.Annotations.AnnotationText;

namespace Alb.Core.Annotations.Families;

/// <summary><c>use-regex</c>, <c>rewrite-target</c> and <c>x-forwarded-prefix</c> of one Ingress.</summary>
public sealed record RewriteAnnotations(bool UseRegex, RewritePolicy? Rewrite)
{
    /// <summary>Whether this Ingress turns its hosts' paths into regexes (ingress-nginx's <c>enforceRegexModifier</c>).</summary>
    public bool EnforcesRegex => UseRegex || Rewrite is not null;

    /// <summary>
    /// ingress-nginx's <c>rewrite</c> and <c>xforwardedprefix</c> parsers: a rewrite-target outside
    /// <c>RegexPathWithCapture</c> is ignored (the route is served without it); a bad x-forwarded-prefix rejects the
    /// Ingress; a bad use-regex is false.
    /// </summary>
    public static Parsed<RewriteAnnotations> Read(AnnotationReader reader)
    {
        var findings = new Findings(reader);
        var useRegex = false;
        if (reader.Get("use-regex") is { Length: > 0 } regexText && !NginxValues.TryParseBool(regexText, out useRegex))
        {
            findings.Add(Codes.InvalidRewrite, "use-regex", $"\"{Shown(regexText)}\" is not a boolean; false applies");
        }

        string? target = null;
        if (reader.Get("rewrite-target")?.Trim() is { Length: > 0 } targetText)
        {
            if (Validators.IsPathWithCapture(targetText) && !HasBadCapture(targetText))
            {
                target = targetText;
            }
            else
            {
                findings.Add(Codes.InvalidRewrite, "rewrite-target", $"\"{Shown(targetText)}\" is not a path with capture references (letters, digits, - . _ ~ / : and $1..$9); the route is served without a rewrite");
            }
        }

        string? prefix = null;
        if (reader.Get("x-forwarded-prefix")?.Trim() is { Length: > 0 } prefixText)
        {
            if (Validators.IsPathWithCapture(prefixText) && !prefixText.Contains('$', StringComparison.Ordinal))
            {
                prefix = prefixText;
            }
            else
            {
                findings.Add(Codes.InvalidRewrite, "x-forwarded-prefix", $"\"{Shown(prefixText)}\" is not a path (letters, digits, - . _ ~ / :); the Ingress is not served (as ingress-nginx)", BadValueOutcome.RejectIngress);
            }
        }

        return findings.Result(new RewriteAnnotations(useRegex, target is null ? null : new RewritePolicy(target, prefix)));
    }

    /// <summary>A '$' must be followed by a group number 0-9: nginx has no other variable we would expand safely.</summary>
    private static bool HasBadCapture(string target)
    {
        for (var i = 0; i < target.Length; i++)
        {
            if (target[i] == '$' && (i + 1 >= target.Length || target[i + 1] is < '0' or > '9'))
            {
                return true;
            }
        }

        return false;
    }
}
