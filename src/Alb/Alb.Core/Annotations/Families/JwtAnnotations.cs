using Alb.Core.Auth;
using Alb.Core.Diagnostics;
using Alb.Core.Policies;
using Alb.Core.Routing;
using Alb.Core.Translation;
using k8s.Models;
using static Alb.Core.Annotations.AnnotationText;

namespace Alb.Core.Annotations.Families;

/// <summary>
/// alb's own <c>alb.edge.io/auth-jwt-*</c> keys (no ingress-nginx equivalent), read with a reader of prefix
/// <see cref="AlbAnnotations.Prefix"/>. Every bad value of a security key denies the route (503): the issuer, the
/// audiences, the JWKS source, an algorithm list with nothing acceptable left, required-claims, claims-to-headers and
/// token-source; so does any auth-jwt-* key without auth-jwt-issuer. A bad clock-skew keeps 60 s with a Warning.
/// </summary>
public static partial class JwtAnnotations
{
    public const int MaxClockSkewSeconds = 300;
    private const int MaxEntries = 64;
    private const int MaxValueLength = 512;

    /// <summary>Headers a claim may never be written to: they frame the request or carry credentials alb does not own.</summary>
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Authorization", "Cookie", "Connection", "Content-Length", "Content-Type", "Transfer-Encoding", "TE", "Upgrade",
        "Keep-Alive", "Proxy-Connection", "Proxy-Authorization", "Expect", "Trailer", "X-Forwarded-For", "X-Forwarded-Proto",
        "X-Forwarded-Host", "X-Forwarded-Port", "X-Real-IP", "X-Request-ID",
    };

    public static Parsed<JwtPolicy?> Read(AnnotationReader reader, string ingressNamespace, GlobalSettings settings, Func<string, string, V1Secret?> secrets)
    {
        var findings = new Findings(reader);
        var issuer = reader.Get("auth-jwt-issuer")?.Trim();
        if (string.IsNullOrEmpty(issuer))
        {
            foreach (var name in reader.Names.Where(n => n.StartsWith("auth-jwt-", StringComparison.Ordinal) && n != "auth-jwt-issuer"))
            {
                findings.Add(Codes.InvalidJwt, name, "is set without auth-jwt-issuer, which JWT validation needs; the route answers 503 (fail closed)", BadValueOutcome.DenyRoute);
            }

            if (reader.Has("auth-jwt-issuer"))
            {
                findings.Add(Codes.InvalidJwt, "auth-jwt-issuer", "is empty; the route answers 503 (fail closed)", BadValueOutcome.DenyRoute);
            }

            return findings.Result<JwtPolicy?>(null);
        }

        if (!IsIssuerOrAudience(issuer))
        {
            findings.Add(Codes.InvalidJwt, "auth-jwt-issuer", $"\"{Shown(issuer)}\" is not an issuer (an http(s) URL or a name of printable characters without spaces, quotes or commas, at most {MaxValueLength}); the route answers 503", BadValueOutcome.DenyRoute);
        }

        var policy = new JwtPolicy(issuer);
        policy = ReadAudiences(reader, findings, policy);
        policy = ReadJwks(reader, findings, policy, ingressNamespace, settings, secrets);
        policy = ReadAlgorithms(reader, findings, policy);
        policy = ReadRequiredClaims(reader, findings, policy);
        policy = ReadClaimsToHeaders(reader, findings, policy);
        policy = ReadClockSkew(reader, findings, policy);
        policy = ReadTokenSource(reader, findings, policy);

        // Every value was read for its diagnostics; a route that is denied carries no policy, so no bad value reaches one.
        return findings.Result<JwtPolicy?>(findings.Outcome >= BadValueOutcome.DenyRoute ? null : policy);
    }

    private static JwtPolicy ReadAudiences(AnnotationReader reader, Findings findings, JwtPolicy policy)
    {
        if (reader.Get("auth-jwt-audiences") is not { } text)
        {
            findings.Add(Codes.InvalidJwt, "auth-jwt-audiences", "is required: without it a token the issuer made for any other service would pass; the route answers 503 until the audience of this service is set", BadValueOutcome.DenyRoute);
            return policy;
        }

        var audiences = NginxValues.SplitList(text);
        var bad = audiences.FirstOrDefault(a => !IsIssuerOrAudience(a));
        if (audiences.Length is 0 or > MaxEntries || bad is not null)
        {
            findings.Add(Codes.InvalidJwt, "auth-jwt-audiences", $"\"{Shown(bad ?? text)}\" is not a comma-separated list of audiences (printable, no spaces or quotes; 1 to {MaxEntries}); the route answers 503", BadValueOutcome.DenyRoute);
            return policy;
        }

        return policy with { Audiences = audiences.Distinct(StringComparer.Ordinal).ToEquatableArray() };
    }

    private static JwtPolicy ReadJwks(AnnotationReader reader, Findings findings, JwtPolicy policy, string ingressNamespace, GlobalSettings settings, Func<string, string, V1Secret?> secrets)
    {
        var url = reader.Get("auth-jwt-jwks-url")?.Trim();
        var reference = reader.Get("auth-jwt-jwks-secret")?.Trim();
        if (!string.IsNullOrEmpty(url) && !string.IsNullOrEmpty(reference))
        {
            findings.Add(Codes.InvalidJwt, "auth-jwt-jwks-url", "and auth-jwt-jwks-secret are both set; set one; the route answers 503", BadValueOutcome.DenyRoute);
            return policy;
        }

        if (!string.IsNullOrEmpty(url))
        {
            if (!IsJwksUrl(url))
            {
                findings.Add(Codes.InvalidJwt, "auth-jwt-jwks-url", $"\"{Shown(url)}\" is not an absolute http(s) URL with a host (no user info or fragment, at most 2048 characters); the route answers 503", BadValueOutcome.DenyRoute);
                return policy;
            }

            return policy with { JwksUrl = url };
        }

        if (string.IsNullOrEmpty(reference))
        {
            findings.Add(Codes.InvalidJwt, "auth-jwt-issuer", "has no key source: set auth-jwt-jwks-url or auth-jwt-jwks-secret; the route answers 503", BadValueOutcome.DenyRoute);
            return policy;
        }

        if (!BasicAuthAnnotations.TrySplit(reference, ingressNamespace, out var ns, out var name))
        {
            findings.Add(Codes.InvalidJwt, "auth-jwt-jwks-secret", $"\"{Shown(reference)}\" is not name or namespace/name; the route answers 503", BadValueOutcome.DenyRoute);
            return policy;
        }

        var id = $"{ns}/{name}";
        policy = policy with { JwksSecret = id };
        if (ns != ingressNamespace && !settings.AllowCrossNamespaceResources)
        {
            findings.Add(Codes.JwksSecretUnusable, "auth-jwt-jwks-secret", $"Secret {id} is in another namespace than the Ingress (allow-cross-namespace-resources is off); the route answers 503", BadValueOutcome.DenyRoute);
            return policy;
        }

        var secret = secrets(ns, name);
        var json = secret is null ? null : TlsResolver.Read(secret, "jwks");
        EquatableArray<string> keyIds = [];
        List<string> dropped = [];
        var problem = secret is null ? "does not exist"
            : json is null ? "has no key \"jwks\""
            : JwksDocument.TryRead(json, out keyIds, out dropped) is { } reason ? $"key \"jwks\" {reason}"
            : null;
        if (problem is not null)
        {
            findings.Add(Codes.JwksSecretUnusable, "auth-jwt-jwks-secret", $"Secret {id} {problem}; the route answers 503", BadValueOutcome.DenyRoute);
            return policy;
        }

        if (dropped.Count > 0)
        {
            findings.Add(Codes.JwtAlgorithmDropped, "auth-jwt-jwks-secret", $"Secret {id}: {string.Join("; ", dropped)}");
        }

        return policy with { JwksJson = json, KeyIds = keyIds };
    }

    private static JwtPolicy ReadAlgorithms(AnnotationReader reader, Findings findings, JwtPolicy policy)
    {
        if (reader.Get("auth-jwt-algorithms") is not { } text)
        {
            return policy;
        }

        var kept = new List<string>();
        foreach (var alg in NginxValues.SplitList(text).Take(MaxEntries))
        {
            if (JwtAlgorithms.IsRefused(alg))
            {
                findings.Add(Codes.JwtAlgorithmDropped, "auth-jwt-algorithms", $"\"{Shown(alg)}\" is always refused (unsigned tokens and HMAC shared secrets are never accepted at the ingress); dropped");
            }
            else if (!JwtAlgorithms.Supported.Contains(alg, StringComparer.Ordinal))
            {
                findings.Add(Codes.JwtAlgorithmDropped, "auth-jwt-algorithms", $"\"{Shown(alg)}\" is not one of {string.Join(", ", JwtAlgorithms.Supported)} (case-sensitive); dropped");
            }
            else if (!kept.Contains(alg, StringComparer.Ordinal))
            {
                kept.Add(alg);
            }
        }

        if (kept.Count == 0)
        {
            findings.Add(Codes.InvalidJwt, "auth-jwt-algorithms", $"\"{Shown(text)}\" leaves no algorithm alb accepts; the route answers 503", BadValueOutcome.DenyRoute);
            return policy;
        }

        return policy with { Algorithms = kept.ToEquatableArray() };
    }

    /// <summary>A StringOrURI for iss and aud: printable ASCII without spaces, quotes, backslashes or commas; an http(s) URL when it has a scheme.</summary>
    internal static bool IsIssuerOrAudience(string value)
    {
        if (value.Length is 0 or > MaxValueLength || !value.All(c => c is > ' ' and < (char)0x7f and not '"' and not '\\' and not ','))
        {
            return false;
        }

        return !value.Contains("://", StringComparison.Ordinal) ||
            (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0);
    }

    private static bool IsJwksUrl(string value) =>
        value.Length <= 2048 && !value.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)) &&
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0 &&
        uri.UserInfo.Length == 0 && uri.Fragment.Length == 0;

    private static bool IsClaimName(string name) =>
        name.Length is > 0 and <= 128 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '/');

    private static bool IsHeaderName(string name) =>
        name.Length is > 0 and <= 128 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
