using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using static Alb.Tests.Auth.JwtFixtures;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace Alb.Tests.Auth;

/// <summary>
/// alb.edge.io/auth-jwt-* end to end: RSA and EC keys made in the test, tokens signed in the test, a JWKS served over
/// real sockets by a small Kestrel server (and one from a Secret), and alb serving as a user starts it. Every refusal
/// is 401 with RFC 6750's challenge and never reaches the backend; keys never fetched is 503.
/// </summary>
public sealed class JwtTests : IAsyncLifetime
{
    private const string Issuer = JwtFixtures.Issuer;
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly RSA _rsaNext = RSA.Create(2048);
    private readonly RSA _rsaOther = RSA.Create(2048);
    private readonly ECDsa _ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ConcurrentDictionary<string, int> _fetches = new();
    private volatile bool _rotated;
    private TestOrigin _web = null!;
    private WebApplication _jwks = null!;
    private WebApplication _stoppable = null!;
    private AlbInstance _alb = null!;

    public async Task InitializeAsync()
    {
        _web = await TestOrigin.StartAsync("web");
        var jwksPort = FreePort.Next();
        var stoppablePort = FreePort.Next();
        _jwks = await ServeAsync(jwksPort, context =>
        {
            var path = context.Request.Path.Value!;
            _fetches.AddOrUpdate(path, 1, (_, n) => n + 1);
            return path switch
            {
                "/main" => Json(context, Jwk(_rsa, "rsa-1"), Jwk(_ec, "ec-1")),
                "/rotating" => _rotated ? Json(context, Jwk(_rsa, "rsa-1"), Jwk(_rsaNext, "rsa-2")) : Json(context, Jwk(_rsa, "rsa-1")),
                "/huge" => context.Response.WriteAsync("{\"keys\":[" + new string(' ', 2 * 1024 * 1024) + "]}"),
                _ => Task.FromResult(context.Response.StatusCode = 404),
            };
        });
        _stoppable = await ServeAsync(stoppablePort, context => Json(context, Jwk(_rsa, "rsa-1")));

        var url = $"http://127.0.0.1:{jwksPort}";
        var secretJwks = $"{{\"keys\":[{Jwk(_ec, "ec-1")},{{\"kty\":\"oct\",\"kid\":\"shared\",\"k\":\"c2VjcmV0\"}}]}}";
        var dir = new ManifestDir();
        dir.Write("backends.yaml", ManifestDir.Backend("web", [_web.Port]) + $"""
            apiVersion: v1
            kind: Secret
            metadata: {"{"}name: jwks, namespace: default{"}"}
            stringData:
              jwks: '{secretJwks}'

            """);
        (string, string)[] main = [("auth-jwt-issuer", Issuer), ("auth-jwt-audiences", "api, other-api"), ("auth-jwt-jwks-url", url + "/main")];
        dir.Write("ingresses.yaml", string.Concat(
            Ing("rs", "rs.example.com", [.. main, ("auth-jwt-required-claims", "scope=read, groups=admins"), ("auth-jwt-claims-to-headers", "sub:X-User, email:X-Email, groups:X-Groups")]),
            Ing("secret", "secret.example.com", ("auth-jwt-issuer", Issuer), ("auth-jwt-audiences", "api"), ("auth-jwt-jwks-secret", "jwks"), ("auth-jwt-algorithms", "ES256"), ("auth-jwt-token-source", "header:X-Token")),
            Ing("cookie", "cookie.example.com", [.. main, ("auth-jwt-token-source", "cookie:session")]),
            Ing("cached", "cached.example.com", ("auth-jwt-issuer", Issuer), ("auth-jwt-audiences", "api"), ("auth-jwt-jwks-url", $"http://127.0.0.1:{stoppablePort}/keys")),
            Ing("down", "down.example.com", ("auth-jwt-issuer", Issuer), ("auth-jwt-audiences", "api"), ("auth-jwt-jwks-url", $"http://127.0.0.1:{FreePort.Next()}/keys")),
            Ing("huge", "huge.example.com", ("auth-jwt-issuer", Issuer), ("auth-jwt-audiences", "api"), ("auth-jwt-jwks-url", url + "/huge")),
            Ing("rotate", "rotate.example.com", ("auth-jwt-issuer", Issuer), ("auth-jwt-audiences", "api"), ("auth-jwt-jwks-url", url + "/rotating")),
            Ing("any", "any.example.com", [.. main, ("satisfy", "any"), ("allowlist-source-range", "127.0.0.1")]),
            Ing("refused", "refused.example.com", [.. main, ("auth-jwt-algorithms", "none, HS256")]),
            Ing("typo", "typo.example.com", ("auth-jwt-isuer", Issuer))));
        _alb = await AlbInstance.StartAsync(dir);
    }

    public async Task DisposeAsync()
    {
        await _alb.DisposeAsync();
        await _jwks.DisposeAsync();
        await _stoppable.DisposeAsync();
        await _web.DisposeAsync();
        _rsa.Dispose();
        _rsaNext.Dispose();
        _rsaOther.Dispose();
        _ec.Dispose();
    }

    [Fact]
    public async Task Valid_RS256_and_ES256_tokens_reach_the_backend_with_the_claims_as_headers_and_never_the_clients_copies()
    {
        foreach (var token in new[] { Token(Rsa("rsa-1")), Token(Ec("ec-1")) })
        {
            var (status, body, _) = await SendAsync("rs.example.com", token, ("X-User", "mallory"), ("X_User", "mallory"), ("x-email", "m@evil"), ("X_Groups", "root"));
            Assert.Equal(HttpStatusCode.OK, status);
            var headers = body.GetProperty("headers");
            Assert.Equal("alice", headers.GetProperty("x-user").GetString());
            Assert.Equal("alice@example.com", headers.GetProperty("x-email").GetString());
            Assert.Equal("admins, dev", headers.GetProperty("x-groups").GetString());
            Assert.False(headers.TryGetProperty("x_user", out _), "the underscore spelling of a claim header reached the backend");
            Assert.False(headers.TryGetProperty("x_groups", out _), "the underscore spelling of a claim header reached the backend");
        }

        // A claim the token lacks: the header is not sent at all, and the client's copy is still dropped.
        var (_, noEmail, _) = await SendAsync("rs.example.com", Token(Rsa("rsa-1"), without: "email"), ("X-Email", "m@evil"));
        Assert.False(noEmail.GetProperty("headers").TryGetProperty("x-email", out _));
    }

    [Fact]
    public async Task Every_bad_token_is_401_with_an_invalid_token_challenge_and_never_reaches_the_backend()
    {
        var now = DateTime.UtcNow;
        var hmac = new SymmetricSecurityKey(Encoding.ASCII.GetBytes(_rsa.ExportSubjectPublicKeyInfoPem())) { KeyId = "rsa-1" };
        var cases = new (string Name, string Token, string Description)[]
        {
            ("expired", Token(Rsa("rsa-1"), notBefore: now.AddMinutes(-20), expires: now.AddMinutes(-10)), "the token has expired"),
            ("not yet valid", Token(Rsa("rsa-1"), notBefore: now.AddMinutes(10), expires: now.AddMinutes(20)), "the token is not valid yet"),
            ("wrong issuer", Token(Rsa("rsa-1"), issuer: "https://evil.example.com/"), "the token's issuer is not accepted"),
            ("wrong audience", Token(Rsa("rsa-1"), audience: "someone-else"), "the token's audience is not accepted"),
            ("wrong key, known kid", Token(new SigningCredentials(new RsaSecurityKey(_rsaOther) { KeyId = "rsa-1" }, SecurityAlgorithms.RsaSha256)), "the token's signature does not verify"),
            ("wrong key, unknown kid", Token(new SigningCredentials(new RsaSecurityKey(_rsaOther) { KeyId = "rsa-x" }, SecurityAlgorithms.RsaSha256)), "the token's signature does not verify"),
            ("alg none", Unsigned("none"), "the token's algorithm is not accepted"),
            ("alg EdDSA", Unsigned("EdDSA", "c2lnbmF0dXJl"), "the token's algorithm is not accepted"),
            ("HS256 with the public key", Token(new SigningCredentials(hmac, SecurityAlgorithms.HmacSha256)), "the token's algorithm is not accepted"),
            ("RS384, not in the allowlist", Token(new SigningCredentials(new RsaSecurityKey(_rsa) { KeyId = "rsa-1" }, SecurityAlgorithms.RsaSha384)), "the token's algorithm is not accepted"),
            ("missing required claim", Token(Rsa("rsa-1"), scope: "write"), "a required claim is missing"),
            ("no exp", Token(Rsa("rsa-1"), noExpiry: true), "the token has no expiry"),
            ("malformed", "not.a.jwt", "the token is malformed"),
            ("too long", new string('a', 9000), "the token is too long"),
        };
        var before = _web.Requests;
        foreach (var (name, token, description) in cases)
        {
            var (status, _, response) = await SendAsync("rs.example.com", token);
            Assert.True(status == HttpStatusCode.Unauthorized, $"{name}: {status}");
            Assert.Equal($"Bearer realm=\"rs.example.com\", error=\"invalid_token\", error_description=\"{description}\"", response.Headers.WwwAuthenticate.ToString());
        }

        Assert.Equal(before, _web.Requests);
        var output = _alb.Process.Output();
        foreach (var (name, token, _) in cases.Where(c => c.Token.Length > 40))
        {
            Assert.False(output.Contains(token[^24..], StringComparison.Ordinal), $"{name}: the token appeared in alb's output");
        }
    }

    [Fact]
    public async Task No_token_or_one_in_another_place_is_401_with_the_bare_challenge()
    {
        var token = Token(Rsa("rsa-1"));
        var before = _web.Requests;
        foreach (var (host, auth, extra) in new (string, string?, (string, string)[])[]
        {
            ("rs.example.com", null, []),
            ("rs.example.com", null, [("Cookie", "session=" + token)]),
            ("rs.example.com", null, [("X-Token", token)]),
            ("cookie.example.com", "Bearer " + token, []),
            ("secret.example.com", "Bearer " + Token(Ec("ec-1")), []),
        })
        {
            var (status, _, response) = await SendRawAsync(host, auth, extra);
            Assert.Equal(HttpStatusCode.Unauthorized, status);
            Assert.Equal($"Bearer realm=\"{host}\"", response.Headers.WwwAuthenticate.ToString());
        }

        var (basic, _, _) = await SendRawAsync("rs.example.com", "Basic YTpi", []);
        Assert.Equal(HttpStatusCode.Unauthorized, basic);
        Assert.Equal(before, _web.Requests);
    }

    [Fact]
    public async Task Tokens_from_a_cookie_and_from_a_header_with_keys_from_a_Secret()
    {
        Assert.Equal(HttpStatusCode.OK, (await SendRawAsync("cookie.example.com", null, [("Cookie", "a=b; session=" + Token(Rsa("rsa-1")))])).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendRawAsync("secret.example.com", null, [("X-Token", Token(Ec("ec-1")))])).Status);

        // The Secret's route allows ES256 only; its oct key is never used, so HS256 signed with it is refused too.
        var (rs, _, response) = await SendRawAsync("secret.example.com", null, [("X-Token", Token(Rsa("rsa-1")))]);
        Assert.Equal(HttpStatusCode.Unauthorized, rs);
        Assert.Contains("algorithm is not accepted", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        var oct = new SymmetricSecurityKey(Encoding.ASCII.GetBytes("secret".PadRight(32, '!'))) { KeyId = "shared" };
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendRawAsync("secret.example.com", null, [("X-Token", Token(new SigningCredentials(oct, SecurityAlgorithms.HmacSha256)))])).Status);
    }

    [Fact]
    public async Task Cached_keys_keep_serving_when_the_jwks_server_is_gone()
    {
        var token = Token(Rsa("rsa-1"));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync("cached.example.com", token)).Status);
        await _stoppable.StopAsync();
        await _stoppable.DisposeAsync();
        _stoppable = await ServeAsync(FreePort.Next(), _ => Task.CompletedTask); // for DisposeAsync

        Assert.Equal(HttpStatusCode.OK, (await SendAsync("cached.example.com", token)).Status);

        // An unknown kid asks the gone server again: that fails, the last good keys stay in use.
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync("cached.example.com", Token(new SigningCredentials(new RsaSecurityKey(_rsaNext) { KeyId = "rsa-2" }, SecurityAlgorithms.RsaSha256)))).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync("cached.example.com", token)).Status);
    }

    [Fact]
    public async Task A_jwks_never_fetched_is_503_and_never_the_backend()
    {
        var before = _web.Requests;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await SendAsync("down.example.com", Token(Rsa("rsa-1")))).Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await SendAsync("huge.example.com", Token(Rsa("rsa-1")))).Status);
        Assert.Equal(before, _web.Requests);
        Assert.Contains("could not be fetched", _alb.Process.Output(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_kid_after_key_rotation_passes_once_the_jwks_is_fetched_again()
    {
        Assert.Equal(HttpStatusCode.OK, (await SendAsync("rotate.example.com", Token(Rsa("rsa-1")))).Status);
        Assert.Equal(1, _fetches.GetValueOrDefault("/rotating"));
        _rotated = true;
        var next = Token(new SigningCredentials(new RsaSecurityKey(_rsaNext) { KeyId = "rsa-2" }, SecurityAlgorithms.RsaSha256));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync("rotate.example.com", next)).Status);
        Assert.Equal(2, _fetches.GetValueOrDefault("/rotating"));

        // Unknown kids refresh at most once per 30 s: a flood of them does not reach the issuer.
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync("rotate.example.com", Token(new SigningCredentials(new RsaSecurityKey(_rsaOther) { KeyId = $"x-{i}" }, SecurityAlgorithms.RsaSha256)))).Status);
        }

        Assert.Equal(2, _fetches.GetValueOrDefault("/rotating"));
    }

    [Fact]
    public async Task The_first_fetch_happens_at_publish_not_on_the_first_request()
    {
        await _alb.WaitUntilAsync(() => Task.FromResult(_fetches.GetValueOrDefault("/main") >= 1 && _fetches.GetValueOrDefault("/rotating") >= 1), TimeSpan.FromSeconds(10), "the JWKS fetch at publish");
        Assert.Equal(1, _fetches.GetValueOrDefault("/main")); // one URL, one source, however many routes use it
    }

    [Fact]
    public async Task Satisfy_any_lets_an_allowed_address_in_and_broken_configurations_answer_503()
    {
        Assert.Equal(HttpStatusCode.OK, (await SendAsync("any.example.com", null)).Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await SendAsync("refused.example.com", Token(Rsa("rsa-1")))).Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await SendAsync("typo.example.com", Token(Rsa("rsa-1")))).Status);
    }

    private SigningCredentials Rsa(string kid) => new(new RsaSecurityKey(_rsa) { KeyId = kid }, SecurityAlgorithms.RsaSha256);

    private SigningCredentials Ec(string kid) => new(new ECDsaSecurityKey(_ec) { KeyId = kid }, SecurityAlgorithms.EcdsaSha256);

    private static string Token(SigningCredentials credentials, string issuer = Issuer, string audience = "api", string scope = "read", DateTime? notBefore = null, DateTime? expires = null, bool noExpiry = false, string? without = null)
    {
        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object>
        {
            ["sub"] = "alice",
            ["email"] = "alice@example.com",
            ["groups"] = new[] { "admins", "dev" },
            ["scope"] = scope,
        };
        if (without is not null)
        {
            claims.Remove(without);
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = claims,
            SigningCredentials = credentials,
            NotBefore = notBefore ?? now.AddMinutes(-1),
            IssuedAt = (notBefore ?? now).AddSeconds(-1),
        };
        if (!noExpiry)
        {
            descriptor.Expires = expires ?? now.AddMinutes(10);
        }

        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        return handler.CreateToken(descriptor);
    }

    /// <summary>A token crafted by hand: header <c>{"alg":"...","kid":"rsa-1"}</c>, a valid payload, and <paramref name="signature"/> (empty for none).</summary>
    private static string Unsigned(string alg, string signature = "")
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Base64UrlEncoder.Encode($"{{\"alg\":\"{alg}\",\"typ\":\"JWT\",\"kid\":\"rsa-1\"}}");
        var payload = Base64UrlEncoder.Encode($"{{\"iss\":\"{Issuer}\",\"aud\":\"api\",\"sub\":\"alice\",\"scope\":\"read\",\"groups\":[\"admins\"],\"nbf\":{now - 60},\"exp\":{now + 600}}}");
        return $"{header}.{payload}.{signature}";
    }

    private Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> SendAsync(string host, string? token, params (string Name, string Value)[] headers) =>
        JwtFixtures.SendAsync(_alb, host, token is null ? null : "Bearer " + token, headers);

    private Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> SendRawAsync(string host, string? authorization, (string Name, string Value)[] headers) =>
        JwtFixtures.SendAsync(_alb, host, authorization, headers);
}
