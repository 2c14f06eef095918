using System.Net;
using System.Security.Cryptography;
using System.Text;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math.EC.Rfc8032;
using Xunit;
using static Alb.Tests.Auth.JwtFixtures;

namespace Alb.Tests.Auth;

/// <summary>
/// EdDSA (Ed25519, RFC 8037) end to end: Ed25519 keys made in the test with BouncyCastle, tokens signed in the test, JWKS
/// served over loopback by the test's server and from a Secret, alb started as a user starts it. Algorithm confusion
/// is tried both ways (an EdDSA token against RSA keys, an RS256 token against an OKP key); every refusal is 401 with
/// RFC 6750's challenge and never reaches the backend; a JWKS whose only key is Ed448 is 503.
/// </summary>
public sealed class JwtEdDsaTests : IAsyncLifetime
{
    private readonly Ed25519PrivateKeyParameters _ed = NewEd25519();
    private readonly Ed25519PrivateKeyParameters _edOther = NewEd25519();
    private readonly Ed448PrivateKeyParameters _ed448 = new(new Org.BouncyCastle.Security.SecureRandom());
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly RSA _rsaOther = RSA.Create(2048);
    private TestOrigin _web = null!;
    private WebApplication _jwks = null!;
    private AlbInstance _alb = null!;

    public async Task InitializeAsync()
    {
        _web = await TestOrigin.StartAsync("web");
        var port = FreePort.Next();
        var rsaJwk = RsaJwk(_rsa, "rsa-1");
        var ed448Jwk = $"{{\"kty\":\"OKP\",\"kid\":\"ed448-1\",\"crv\":\"Ed448\",\"x\":\"{Base64UrlEncoder.Encode(_ed448.GeneratePublicKey().GetEncoded())}\"}}";
        _jwks = await ServeAsync(port, context => context.Request.Path.Value switch
        {
            "/mixed" => Json(context, rsaJwk, Jwk(_ed, "ed-1")),
            "/rsa-only" => Json(context, rsaJwk),
            "/okp-only" => Json(context, Jwk(_ed, "ed-1")),
            "/ed448-only" => Json(context, ed448Jwk),
            _ => Task.FromResult(context.Response.StatusCode = 404),
        });

        // The Secret's set: the Ed25519 key (with a private d of another key, which must never be used), an Ed448 key and an X25519 key.
        var strayD = $",\"d\":\"{Base64UrlEncoder.Encode(_edOther.GetEncoded())}\"";
        var secretJwks = Jwks(Jwk(_ed, "ed-1", extra: strayD), ed448Jwk, Jwk(_edOther, "x-1", crv: "X25519"));
        var dir = new ManifestDir();
        dir.Write("backends.yaml", ManifestDir.Backend("web", [_web.Port]) + $"""
            apiVersion: v1
            kind: Secret
            metadata: {"{"}name: okp, namespace: default{"}"}
            stringData:
              jwks: '{secretJwks}'

            """);
        var url = $"http://127.0.0.1:{port}";
        (string, string)[] common = [("auth-jwt-issuer", Issuer), ("auth-jwt-audiences", "api"), ("auth-jwt-algorithms", "EdDSA, RS256")];
        dir.Write("ingresses.yaml", string.Concat(
            Ing("mixed", "ed.example.com", [.. common, ("auth-jwt-jwks-url", url + "/mixed"), ("auth-jwt-required-claims", "scope=read"), ("auth-jwt-claims-to-headers", "sub:X-User, groups:X-Groups")]),
            Ing("secret", "ed-secret.example.com", ("auth-jwt-issuer", Issuer), ("auth-jwt-audiences", "api"), ("auth-jwt-algorithms", "EdDSA"), ("auth-jwt-jwks-secret", "okp"), ("auth-jwt-claims-to-headers", "sub:X-User")),
            Ing("rsa-only", "rsa-only.example.com", [.. common, ("auth-jwt-jwks-url", url + "/rsa-only")]),
            Ing("okp-only", "okp-only.example.com", [.. common, ("auth-jwt-jwks-url", url + "/okp-only")]),
            Ing("default-algs", "default-algs.example.com", ("auth-jwt-issuer", Issuer), ("auth-jwt-audiences", "api"), ("auth-jwt-jwks-url", url + "/okp-only")),
            Ing("ed448", "ed448.example.com", ("auth-jwt-issuer", Issuer), ("auth-jwt-audiences", "api"), ("auth-jwt-algorithms", "EdDSA"), ("auth-jwt-jwks-url", url + "/ed448-only"))));
        _alb = await AlbInstance.StartAsync(dir);
    }

    public async Task DisposeAsync()
    {
        await _alb.DisposeAsync();
        await _jwks.DisposeAsync();
        await _web.DisposeAsync();
        _rsa.Dispose();
        _rsaOther.Dispose();
    }

    [Fact]
    public async Task A_valid_EdDSA_token_reaches_the_backend_with_its_claims_as_headers_from_a_jwks_url_and_from_a_Secret()
    {
        foreach (var host in new[] { "ed.example.com", "ed-secret.example.com" })
        {
            var (status, body, _) = await SendAsync(_alb, host, "Bearer " + EdDsaToken(_ed, "ed-1"), ("X-User", "mallory"));
            Assert.True(status == HttpStatusCode.OK, $"{host}: {status}");
            Assert.Equal("alice", body.GetProperty("headers").GetProperty("x-user").GetString());
        }

        var (_, mixed, _) = await SendAsync(_alb, "ed.example.com", "Bearer " + EdDsaToken(_ed, "ed-1"));
        Assert.Equal("admins, dev", mixed.GetProperty("headers").GetProperty("x-groups").GetString());

        // The RSA key of the same JWKS still verifies RS256: adding OKP keys took nothing away.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(_alb, "ed.example.com", "Bearer " + RsaToken("rsa-1"))).Status);
    }

    [Fact]
    public async Task Every_bad_EdDSA_token_and_every_algorithm_confusion_is_401_with_an_invalid_token_challenge()
    {
        var good = EdDsaToken(_ed, "ed-1");
        var parts = good.Split('.');
        var signature = Base64UrlEncoder.DecodeBytes(parts[2]);
        var cases = new (string Name, string Host, string Token, string Description)[]
        {
            ("tampered payload", "ed.example.com", $"{parts[0]}.{Base64UrlEncoder.Encode(Claims(scope: "read admin"))}.{parts[2]}", "the token's signature does not verify"),
            ("tampered header", "ed.example.com", $"{Base64UrlEncoder.Encode("{\"alg\":\"EdDSA\",\"kid\":\"ed-1\"}")}.{parts[1]}.{parts[2]}", "the token's signature does not verify"),
            ("wrong key, known kid", "ed.example.com", EdDsaToken(_edOther, "ed-1"), "the token's signature does not verify"),
            ("wrong key, unknown kid", "ed.example.com", EdDsaToken(_edOther, "ed-9"), "the token's signature does not verify"),
            ("signed with the Secret's stray d", "ed-secret.example.com", EdDsaToken(_edOther, "ed-1"), "the token's signature does not verify"),
            ("63-byte signature", "ed.example.com", $"{parts[0]}.{parts[1]}.{Base64UrlEncoder.Encode(signature[..63])}", "the token's signature does not verify"),
            ("65-byte signature", "ed.example.com", $"{parts[0]}.{parts[1]}.{Base64UrlEncoder.Encode([.. signature, 0])}", "the token's signature does not verify"),
            ("empty signature", "ed.example.com", $"{parts[0]}.{parts[1]}.", "the token's signature does not verify"),
            ("EdDSA against an RSA-only JWKS", "rsa-only.example.com", EdDsaToken(_ed, "rsa-1"), "the token's signature does not verify"),
            ("RS256 against an OKP-only JWKS", "okp-only.example.com", RsaToken("ed-1"), "the token's signature does not verify"),
            ("RS256 naming the OKP key of a mixed JWKS", "ed.example.com", RsaToken("ed-1", _rsaOther), "the token's signature does not verify"),
            ("Ed448 key (dropped from the Secret)", "ed-secret.example.com", Ed448Token("ed448-1"), "the token's signature does not verify"),
            ("EdDSA not in the route's allowlist", "default-algs.example.com", good, "the token's algorithm is not accepted"),
            ("HS256 keyed with the Ed25519 public key", "ed.example.com", HmacToken(_ed.GeneratePublicKey().GetEncoded(), "ed-1"), "the token's algorithm is not accepted"),
            ("alg none", "ed.example.com", $"{SigningInput("none", "ed-1", Claims())}.", "the token's algorithm is not accepted"),
            ("alg eddsa (case)", "ed.example.com", EdDsaToken(_ed, "ed-1", alg: "eddsa"), "the token's algorithm is not accepted"),
            ("expired", "ed.example.com", EdDsaToken(_ed, "ed-1", Claims(expiresIn: TimeSpan.FromMinutes(-10))), "the token has expired"),
            ("wrong audience", "ed.example.com", EdDsaToken(_ed, "ed-1", Claims(audience: "other")), "the token's audience is not accepted"),
            ("missing required claim", "ed.example.com", EdDsaToken(_ed, "ed-1", Claims(scope: "write")), "a required claim is missing"),
        };
        var before = _web.Requests;
        foreach (var (name, host, token, description) in cases)
        {
            var (status, _, response) = await SendAsync(_alb, host, "Bearer " + token);
            Assert.True(status == HttpStatusCode.Unauthorized, $"{name}: {status}");
            Assert.True($"Bearer realm=\"{host}\", error=\"invalid_token\", error_description=\"{description}\"" == response.Headers.WwwAuthenticate.ToString(), $"{name}: {response.Headers.WwwAuthenticate}");
        }

        Assert.Equal(before, _web.Requests);
    }

    [Fact]
    public async Task A_jwks_whose_only_key_is_Ed448_is_never_usable_so_its_routes_answer_503()
    {
        var before = _web.Requests;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await SendAsync(_alb, "ed448.example.com", "Bearer " + Ed448Token("ed448-1"))).Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await SendAsync(_alb, "ed448.example.com", "Bearer " + EdDsaToken(_ed, "ed-1"))).Status);
        Assert.Equal(before, _web.Requests);
        Assert.Contains("holds no RSA, EC or Ed25519 signing key", _alb.Process.Output(), StringComparison.Ordinal);
    }

    private string RsaToken(string kid, RSA? rsa = null) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = Issuer,
        Audience = "api",
        Claims = new Dictionary<string, object> { ["sub"] = "alice", ["scope"] = "read" },
        Expires = DateTime.UtcNow.AddMinutes(10),
        SigningCredentials = new SigningCredentials(new RsaSecurityKey(rsa ?? _rsa) { KeyId = kid }, SecurityAlgorithms.RsaSha256),
    });

    /// <summary>A JWS "signed" with HMAC keyed by <paramref name="secret"/> (the classic confusion: a public key used as a shared secret).</summary>
    private static string HmacToken(byte[] secret, string kid)
    {
        var input = SigningInput("HS256", kid, Claims());
        return $"{input}.{Base64UrlEncoder.Encode(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(input)))}";
    }

    /// <summary>A real Ed448 signature (RFC 8032 §5.2, empty context) under <c>alg: EdDSA</c>, as an issuer with an Ed448 key would send it.</summary>
    private string Ed448Token(string kid)
    {
        var input = SigningInput("EdDSA", kid, Claims());
        var message = Encoding.ASCII.GetBytes(input);
        var signature = new byte[Ed448.SignatureSize];
        _ed448.Sign(Ed448.Algorithm.Ed448, [], message, 0, message.Length, signature, 0);
        return $"{input}.{Base64UrlEncoder.Encode(signature)}";
    }

    private static string RsaJwk(RSA rsa, string kid)
    {
        var p = rsa.ExportParameters(false);
        return $"{{\"kty\":\"RSA\",\"kid\":\"{kid}\",\"use\":\"sig\",\"n\":\"{Base64UrlEncoder.Encode(p.Modulus)}\",\"e\":\"{Base64UrlEncoder.Encode(p.Exponent)}\"}}";
    }
}
