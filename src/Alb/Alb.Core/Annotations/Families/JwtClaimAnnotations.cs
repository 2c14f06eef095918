using Alb.Core.Diagnostics;
using Alb.Core.Policies;
using Alb.Core.Routing;
using static Alb.Core.Annotations.AnnotationText;

namespace Alb.Core.Annotations.Families;

/// <summary>The JWT keys about what a token carries and where it is found: required claims, claims-to-headers, clock skew, token source.</summary>
public static partial class JwtAnnotations
{
    private static JwtPolicy ReadRequiredClaims(AnnotationReader reader, Findings findings, JwtPolicy policy)
    {
        if (reader.Get("auth-jwt-required-claims") is not { } text)
        {
            return policy;
        }

        var claims = new List<JwtClaimRequirement>();
        var entries = NginxValues.SplitList(text);
        foreach (var entry in entries)
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            var claim = eq > 0 ? entry[..eq].Trim() : "";
            var value = eq > 0 ? entry[(eq + 1)..].Trim() : "";
            if (!IsClaimName(claim) || value.Length is 0 or > MaxValueLength || value.Any(char.IsControl) || entries.Length > MaxEntries)
            {
                findings.Add(Codes.InvalidJwt, "auth-jwt-required-claims", $"\"{Shown(entry)}\" is not claim=value (a claim name of letters, digits and - _ . : /; a value without commas; at most {MaxEntries} entries); the route answers 503", BadValueOutcome.DenyRoute);
                return policy;
            }

            claims.Add(new JwtClaimRequirement(claim, value));
        }

        if (claims.Count == 0)
        {
            findings.Add(Codes.InvalidJwt, "auth-jwt-required-claims", "holds no claim=value entry; the route answers 503", BadValueOutcome.DenyRoute);
            return policy;
        }

        return policy with { RequiredClaims = claims.Distinct().ToEquatableArray() };
    }

    private static JwtPolicy ReadClaimsToHeaders(AnnotationReader reader, Findings findings, JwtPolicy policy)
    {
        if (reader.Get("auth-jwt-claims-to-headers") is not { } text)
        {
            return policy;
        }

        var pairs = new List<JwtClaimHeader>();
        var entries = NginxValues.SplitList(text);
        foreach (var entry in entries)
        {
            var colon = entry.LastIndexOf(':');
            var claim = colon > 0 ? entry[..colon].Trim() : "";
            var header = colon > 0 ? entry[(colon + 1)..].Trim() : "";
            string? problem = !IsClaimName(claim) || !IsHeaderName(header) || entries.Length > MaxEntries ? $"is not claim:Header-Name (a claim name of letters, digits and - _ . : /; a header of letters, digits, - and _; at most {MaxEntries} entries)"
                : ReservedHeaders.Contains(header.Replace('_', '-')) ? $"writes to {header}, which a claim may not set"
                : pairs.Any(p => string.Equals(p.Header.Replace('_', '-'), header.Replace('_', '-'), StringComparison.OrdinalIgnoreCase)) ? $"sets {header} a second time"
                : null;
            if (problem is not null)
            {
                findings.Add(Codes.InvalidJwt, "auth-jwt-claims-to-headers", $"\"{Shown(entry)}\" {problem}; the route answers 503", BadValueOutcome.DenyRoute);
                return policy;
            }

            pairs.Add(new JwtClaimHeader(claim, header));
        }

        if (pairs.Count == 0)
        {
            findings.Add(Codes.InvalidJwt, "auth-jwt-claims-to-headers", "holds no claim:Header-Name entry; the route answers 503", BadValueOutcome.DenyRoute);
            return policy;
        }

        return policy with { ClaimsToHeaders = pairs.ToEquatableArray() };
    }

    private static JwtPolicy ReadClockSkew(AnnotationReader reader, Findings findings, JwtPolicy policy)
    {
        if (reader.Get("auth-jwt-clock-skew") is not { } text)
        {
            return policy;
        }

        if (NginxValues.TryParseDuration(text, out var ms) && ms % 1000 == 0 && ms / 1000 <= MaxClockSkewSeconds)
        {
            return policy with { ClockSkewSeconds = ms / 1000 };
        }

        findings.Add(Codes.JwtValueDefaulted, "auth-jwt-clock-skew", $"\"{Shown(text)}\" is not a duration in whole seconds of at most 5m (such as 30s or 2m); 60s applies");
        return policy;
    }

    private static JwtPolicy ReadTokenSource(AnnotationReader reader, Findings findings, JwtPolicy policy)
    {
        if (reader.Get("auth-jwt-token-source")?.Trim() is not { } text)
        {
            return policy;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var kind = colon > 0 ? text[..colon].Trim() : "";
        var name = colon > 0 ? text[(colon + 1)..].Trim() : "";
        JwtTokenSource? source = kind switch
        {
            "header" when name.Equals("Authorization", StringComparison.OrdinalIgnoreCase) => JwtTokenSource.Default,
            "header" when IsHeaderName(name) && !ReservedHeaders.Contains(name) => new JwtTokenSource(JwtTokenLocation.Header, name),
            "cookie" when name.Length is > 0 and <= 128 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') => new JwtTokenSource(JwtTokenLocation.Cookie, name),
            _ => null,
        };
        if (source is null)
        {
            findings.Add(Codes.InvalidJwt, "auth-jwt-token-source", $"\"{Shown(text)}\" is not header:Authorization, header:<Name> or cookie:<name>; the route answers 503", BadValueOutcome.DenyRoute);
            return policy;
        }

        return policy with { Source = source };
    }

}
