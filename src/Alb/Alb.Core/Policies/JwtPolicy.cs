using System.Text.Json.Serialization;
using Alb.Core.Routing;

namespace Alb.Core.Policies;

/// <summary>Where a request carries its token.</summary>
public enum JwtTokenLocation
{
    /// <summary><c>Authorization: Bearer &lt;token&gt;</c> (RFC 6750), the default.</summary>
    Bearer,

    /// <summary>The whole value of the header <see cref="JwtTokenSource.Name"/>.</summary>
    Header,

    /// <summary>The cookie <see cref="JwtTokenSource.Name"/>.</summary>
    Cookie,
}

/// <summary><c>auth-jwt-token-source</c>: <c>header:Authorization</c> (Bearer), <c>header:&lt;Name&gt;</c> or <c>cookie:&lt;name&gt;</c>.</summary>
public sealed record JwtTokenSource(JwtTokenLocation Location, string Name)
{
    public static JwtTokenSource Default { get; } = new(JwtTokenLocation.Bearer, "Authorization");

    public override string ToString() => Location == JwtTokenLocation.Cookie ? $"cookie {Name}" : Location == JwtTokenLocation.Bearer ? "Authorization: Bearer" : $"header {Name}";
}

/// <summary>One <c>auth-jwt-required-claims</c> entry: the claim must equal <see cref="Value"/> or be an array containing it.</summary>
public sealed record JwtClaimRequirement(string Claim, string Value);

/// <summary>One <c>auth-jwt-claims-to-headers</c> entry: the claim's value goes upstream in <see cref="Header"/>.</summary>
public sealed record JwtClaimHeader(string Claim, string Header);

/// <summary>
/// <c>alb.edge.io/auth-jwt-*</c>: a request needs a JWT (from <see cref="Source"/>) signed by a key of the JWKS
/// (<see cref="JwksUrl"/>, fetched and cached by the host, or the Secret <see cref="JwksSecret"/>) with one of
/// <see cref="Algorithms"/> (never none or HS*), whose <c>iss</c> is <see cref="Issuer"/>, whose <c>aud</c> holds one
/// of <see cref="Audiences"/> (any when empty), that has not expired (with <see cref="ClockSkewSeconds"/> of leeway),
/// and that carries <see cref="RequiredClaims"/>. 401 with an RFC 6750 challenge otherwise; 503 while no key of the
/// JWKS URL was ever fetched.
/// </summary>
public sealed record JwtPolicy(string Issuer)
{
    public EquatableArray<string> Audiences { get; init; } = [];

    /// <summary><c>auth-jwt-jwks-url</c>: an http(s) URL the host fetches in the background; null when the keys come from a Secret.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? JwksUrl { get; init; }

    /// <summary><c>auth-jwt-jwks-secret</c> as namespace/name; null when the keys come from a URL.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? JwksSecret { get; init; }

    /// <summary>The Secret's JWKS (public keys only, compared but not printed).</summary>
    [JsonIgnore]
    public string? JwksJson { get; init; }

    /// <summary>The <c>kid</c>s of the Secret's usable keys (what the golden files and <c>alb explain</c> show of them).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public EquatableArray<string> KeyIds { get; init; }

    public EquatableArray<string> Algorithms { get; init; } = [.. JwtAlgorithms.Default];

    public EquatableArray<JwtClaimRequirement> RequiredClaims { get; init; } = [];

    public EquatableArray<JwtClaimHeader> ClaimsToHeaders { get; init; } = [];

    public int ClockSkewSeconds { get; init; } = 60;

    public JwtTokenSource Source { get; init; } = JwtTokenSource.Default;
}

/// <summary>The JWS algorithms alb accepts (asymmetric only), and those it always refuses.</summary>
public static class JwtAlgorithms
{
    /// <summary>
    /// What a route without auth-jwt-algorithms accepts. EdDSA is supported but not a default: a route's accepted
    /// algorithms change only when its Ingress says so (RFC 8725 §3.1), so adding EdDSA changed no existing route.
    /// </summary>
    public static IReadOnlyList<string> Default { get; } = ["RS256", "ES256"];

    /// <summary>RSA PKCS#1 v1.5, RSA-PSS, ECDSA and EdDSA (Ed25519 only, RFC 8037; verified by the host with BouncyCastle, see docs/alb-auth.md).</summary>
    public static IReadOnlyList<string> Supported { get; } = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];

    /// <summary><c>none</c> (any case) and every HMAC: a shared secret has no place at an ingress, and HMAC with a public key is the classic confusion attack.</summary>
    public static bool IsRefused(string alg) => alg.Equals("none", StringComparison.OrdinalIgnoreCase) || alg.StartsWith("HS", StringComparison.OrdinalIgnoreCase);
}
