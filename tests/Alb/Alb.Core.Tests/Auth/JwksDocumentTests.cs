using System.Text.Json;
using Alb.Core.Annotations;
using Alb.Core.Annotations.Families;
using Alb.Core.Auth;
using Alb.Core.Policies;
using Alb.Core.Routing;
using Xunit;

namespace Alb.Core.Tests.Auth;

/// <summary>Which JWKS keys alb uses (RSA, EC, OKP Ed25519) and the reason for each one it does not; and EdDSA as an algorithm a route can list, never by default.</summary>
public sealed class JwksDocumentTests
{
    private const string Ed25519X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"; // RFC 8037 A.2

    [Theory]
    [InlineData("""{"kty":"OKP","crv":"Ed25519","x":"X"}""", null)]
    [InlineData("""{"kty":"OKP","crv":"Ed25519","use":"sig","x":"X","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}""", null)]
    [InlineData("""{"kty":"OKP","crv":"Ed25519","use":"enc","x":"X"}""", "is for use \"enc\", not sig")]
    [InlineData("""{"kty":"OKP","crv":"Ed448","x":"X9dEm1m0Yf0s54fsYWrUah2hNCSFpw4fig6nXYDpZ3jt8SR2m0bHBhvWeD3x5Q9s0foavq_oJWGA"}""", "is an OKP key of curve \"Ed448\"; only Ed25519 is supported")]
    [InlineData("""{"kty":"OKP","crv":"X25519","x":"X"}""", "is an OKP key of curve \"X25519\"; only Ed25519 is supported")]
    [InlineData("""{"kty":"OKP","x":"X"}""", "is an OKP key of curve \"\"; only Ed25519 is supported")]
    [InlineData("""{"kty":"OKP","crv":"Ed25519"}""", "is an Ed25519 key whose x is not 32 bytes of base64url")]
    [InlineData("""{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHUQ"}""", "is an Ed25519 key whose x is not 32 bytes of base64url")]
    [InlineData("""{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo="}""", "is an Ed25519 key whose x is not 32 bytes of base64url")]
    [InlineData("""{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS+7TyWQHOg7hcvPapiMlrwIaaPcHURo"}""", "is an Ed25519 key whose x is not 32 bytes of base64url")]
    [InlineData("""{"kty":"oct","k":"c2VjcmV0"}""", "is a symmetric key (kty oct): HMAC is never accepted")]
    [InlineData("""{"kty":"PQC"}""", "has kty \"PQC\", not RSA, EC or OKP")]
    public void Okp_keys_are_used_only_as_Ed25519_signing_keys(string jwk, string? reason)
    {
        using var document = JsonDocument.Parse(jwk.Replace("\"x\":\"X\"", $"\"x\":\"{Ed25519X}\"", StringComparison.Ordinal));
        Assert.Equal(reason, JwksDocument.Unusable(document.RootElement));
    }

    [Fact]
    public void A_set_with_only_unusable_OKP_keys_is_refused_and_one_Ed25519_key_is_enough()
    {
        Assert.Equal(
            "holds no RSA, EC or Ed25519 signing key (key \"a\" is an OKP key of curve \"Ed448\"; only Ed25519 is supported; not used)",
            JwksDocument.TryRead("""{"keys":[{"kty":"OKP","kid":"a","crv":"Ed448","x":"X9dEm1m0Yf0s54fsYWrUah2hNCSFpw4fig6nXYDpZ3jt8SR2m0bHBhvWeD3x5Q9s0foavq_oJWGA"}]}""", out _, out _));
        Assert.Null(JwksDocument.TryRead($$"""{"keys":[{"kty":"OKP","kid":"ed-1","crv":"Ed25519","x":"{{Ed25519X}}"},{"kty":"OKP","kid":"x","crv":"X25519","x":"{{Ed25519X}}"}]}""", out var kids, out var dropped));
        Assert.Equal(["ed-1"], kids);
        Assert.Equal(["key \"x\" is an OKP key of curve \"X25519\"; only Ed25519 is supported; not used"], dropped);
    }

    [Fact]
    public void EdDSA_is_supported_case_sensitively_but_not_a_default_and_none_and_HMAC_stay_refused()
    {
        Assert.Contains("EdDSA", JwtAlgorithms.Supported);
        Assert.DoesNotContain("EdDSA", JwtAlgorithms.Default);
        Assert.False(JwtAlgorithms.IsRefused("EdDSA"));
        Assert.True(JwtAlgorithms.IsRefused("none") && JwtAlgorithms.IsRefused("HS256"));

        var read = Read("EdDSA, eddsa, Ed25519, HS256, RS256");
        Assert.Equal(["EdDSA", "RS256"], read.Policy!.Algorithms);
        Assert.Equal(3, read.Diagnostics.Count(d => d.Code == "ALB2932"));
        Assert.DoesNotContain(read.Diagnostics, d => d.Message.Contains("\"EdDSA\"", StringComparison.Ordinal));

        Assert.Equal(["RS256", "ES256"], Read(null).Policy!.Algorithms);
    }

    private static Parsed<JwtPolicy?> Read(string? algorithms)
    {
        var annotations = new Dictionary<string, string>
        {
            [AlbAnnotations.Prefix + "auth-jwt-issuer"] = "https://login.example.com/",
            [AlbAnnotations.Prefix + "auth-jwt-audiences"] = "api",
            [AlbAnnotations.Prefix + "auth-jwt-jwks-url"] = "https://login.example.com/jwks",
        };
        if (algorithms is not null)
        {
            annotations[AlbAnnotations.Prefix + "auth-jwt-algorithms"] = algorithms;
        }

        return JwtAnnotations.Read(new AnnotationReader("Ingress default/x", annotations, AlbAnnotations.Prefix), "default", GlobalSettings.Default, (_, _) => null);
    }
}
