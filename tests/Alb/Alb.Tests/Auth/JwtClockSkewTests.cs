using System.Net;
using System.Security.Cryptography;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Xunit;
using static Alb.Tests.Auth.JwtFixtures;

namespace Alb.Tests.Auth;

/// <summary>
/// alb.edge.io/auth-jwt-clock-skew end to end: the leeway for <c>exp</c> is 60 s by default (docs/alb-auth.md) and a
/// route's own smaller value holds. Keys come from a Secret, so no JWKS server is involved.
/// </summary>
public sealed class JwtClockSkewTests : IAsyncLifetime
{
    private readonly RSA _rsa = RSA.Create(2048);
    private TestOrigin _web = null!;
    private AlbInstance _alb = null!;

    public async Task InitializeAsync()
    {
        _web = await TestOrigin.StartAsync("web");
        var jwk = Jwk(_rsa, "rsa-1");
        var dir = new ManifestDir();
        dir.Write("backends.yaml", ManifestDir.Backend("web", [_web.Port]) + $"""
            apiVersion: v1
            kind: Secret
            metadata: {"{"}name: jwks, namespace: default{"}"}
            stringData:
              jwks: '{Jwks(jwk)}'

            """);
        (string, string)[] jwt = [("auth-jwt-issuer", Issuer), ("auth-jwt-audiences", "api"), ("auth-jwt-jwks-secret", "jwks")];
        dir.Write("ingresses.yaml", string.Concat(
            Ing("default-skew", "default.example.com", jwt),
            Ing("tight-skew", "tight.example.com", [.. jwt, ("auth-jwt-clock-skew", "10s")])));
        _alb = await AlbInstance.StartAsync(dir);
    }

    public async Task DisposeAsync()
    {
        await _alb.DisposeAsync();
        await _web.DisposeAsync();
        _rsa.Dispose();
    }

    [Fact]
    public async Task A_token_expired_30_s_ago_passes_under_the_default_skew_and_is_refused_under_10_s()
    {
        var expired30s = Token(DateTime.UtcNow.AddSeconds(-30));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(_alb, "default.example.com", "Bearer " + expired30s)).Status);

        var before = _web.Requests;
        var (status, _, response) = await SendAsync(_alb, "tight.example.com", "Bearer " + expired30s);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("Bearer realm=\"tight.example.com\", error=\"invalid_token\", error_description=\"the token has expired\"", response.Headers.WwwAuthenticate.ToString());

        // The default is 60 s, not more: a token expired 90 s ago is refused there too.
        (status, _, response) = await SendAsync(_alb, "default.example.com", "Bearer " + Token(DateTime.UtcNow.AddSeconds(-90)));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(before, _web.Requests);
    }

    private string Token(DateTime expires)
    {
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = "api",
            Claims = new Dictionary<string, object> { ["sub"] = "alice" },
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(_rsa) { KeyId = "rsa-1" }, SecurityAlgorithms.RsaSha256),
            NotBefore = expires.AddMinutes(-10),
            IssuedAt = expires.AddMinutes(-10),
            Expires = expires,
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }
}
