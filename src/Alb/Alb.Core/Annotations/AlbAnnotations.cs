using Alb.Core.Diagnostics;

namespace Alb.Core.Annotations;

/// <summary>
/// alb's own annotations, under <see cref="Prefix"/>: features ingress-nginx has no annotation for (today the JWT
/// keys, read by <see cref="Families.JwtAnnotations"/>). A key under the prefix that alb does not know is a Warning
/// (a typo must not go unnoticed).
/// </summary>
public static class AlbAnnotations
{
    public const string Prefix = "alb.edge.io/";

    public static IReadOnlyList<string> Known { get; } =
    [
        "auth-jwt-issuer", "auth-jwt-audiences", "auth-jwt-jwks-url", "auth-jwt-jwks-secret", "auth-jwt-algorithms",
        "auth-jwt-required-claims", "auth-jwt-claims-to-headers", "auth-jwt-clock-skew", "auth-jwt-token-source",
    ];

    public static bool IsKnown(string name) => Known.Contains(name, StringComparer.Ordinal);

    /// <summary>Every unknown key under the prefix, each with a Warning.</summary>
    public static Parsed<bool> Screen(AnnotationReader reader)
    {
        var findings = new Findings(reader);
        foreach (var name in reader.Names.Where(n => !IsKnown(n)))
        {
            findings.Add(Codes.UnknownAlbAnnotation, name, $"is not an alb annotation (a typo?); ignored. alb's keys: {string.Join(", ", Known)}");
        }

        return findings.Result(true);
    }
}
