using System.Net;
using System.Text;
using System.Text.Json;
using Alb.Tests.Fixtures;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math.EC.Rfc8032;

namespace Alb.Tests.Auth;

/// <summary>What the JWT tests share: a JWKS server on loopback, Ingresses with auth-jwt-* keys, requests to alb, and EdDSA (Ed25519) keys and tokens made with BouncyCastle.</summary>
internal static class JwtFixtures
{
    public const string Issuer = "https://login.example.com/";

    /// <summary>A small Kestrel server on 127.0.0.1:<paramref name="port"/> that answers every request with <paramref name="handler"/>.</summary>
    public static async Task<WebApplication> ServeAsync(int port, RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.Run(handler);
        await app.StartAsync();
        return app;
    }

    public static Task Json(HttpContext context, params string[] keys)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(Jwks(keys));
    }

    public static string Jwks(params string[] keys) => $"{{\"keys\":[{string.Join(",", keys)}]}}";

    /// <summary>An Ingress for the backend "web"; auth-jwt-* keys go under alb.edge.io/, the others under nginx.ingress.kubernetes.io/.</summary>
    public static string Ing(string name, string host, params (string Key, string Value)[] annotations) =>
        ManifestDir.Ingress(name, host, "/", "web", annotations: annotations.ToDictionary(a => a.Key.StartsWith("auth-jwt", StringComparison.Ordinal) ? "alb.edge.io/" + a.Key : "nginx.ingress.kubernetes.io/" + a.Key, a => a.Value));

    /// <summary>GET / on <paramref name="host"/>: the status, the backend's echo (headers it saw) when it answered, and the response.</summary>
    public static async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> SendAsync(AlbInstance alb, string host, string? authorization, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = host } };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await alb.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.StartsWith('{') ? JsonDocument.Parse(text).RootElement.Clone() : default, response);
    }

    /// <summary>A new Ed25519 key pair (BouncyCastle, from the system's random generator).</summary>
    public static Ed25519PrivateKeyParameters NewEd25519() => new(new Org.BouncyCastle.Security.SecureRandom());

    /// <summary>The public half of an RSA key as a JWK (<c>use: sig</c>).</summary>
    public static string Jwk(System.Security.Cryptography.RSA rsa, string kid)
    {
        var p = rsa.ExportParameters(false);
        return $"{{\"kty\":\"RSA\",\"kid\":\"{kid}\",\"use\":\"sig\",\"n\":\"{Base64UrlEncoder.Encode(p.Modulus)}\",\"e\":\"{Base64UrlEncoder.Encode(p.Exponent)}\"}}";
    }

    /// <summary>The public half of a P-256 key as a JWK.</summary>
    public static string Jwk(System.Security.Cryptography.ECDsa ec, string kid)
    {
        var p = ec.ExportParameters(false);
        return $"{{\"kty\":\"EC\",\"kid\":\"{kid}\",\"crv\":\"P-256\",\"x\":\"{Base64UrlEncoder.Encode(p.Q.X)}\",\"y\":\"{Base64UrlEncoder.Encode(p.Q.Y)}\"}}";
    }

    /// <summary>RFC 8037 §2: <c>{"kty":"OKP","crv":"Ed25519","x":...}</c>, with <paramref name="extra"/> members appended as given.</summary>
    public static string Jwk(Ed25519PrivateKeyParameters key, string kid, string crv = "Ed25519", string extra = "") =>
        $"{{\"kty\":\"OKP\",\"kid\":\"{kid}\",\"crv\":\"{crv}\",\"x\":\"{Base64UrlEncoder.Encode(key.GeneratePublicKey().GetEncoded())}\"{extra}}}";

    /// <summary>The claims the JWT tests expect: sub alice, groups admins and dev, scope, and a lifetime around now.</summary>
    public static string Claims(string issuer = Issuer, string audience = "api", string scope = "read", TimeSpan? expiresIn = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var exp = now + (long)(expiresIn ?? TimeSpan.FromMinutes(10)).TotalSeconds;
        var nbf = Math.Min(now, exp) - 600;
        return $"{{\"iss\":\"{issuer}\",\"aud\":\"{audience}\",\"sub\":\"alice\",\"email\":\"alice@example.com\",\"groups\":[\"admins\",\"dev\"],\"scope\":\"{scope}\",\"nbf\":{nbf},\"iat\":{nbf},\"exp\":{exp}}}";
    }

    /// <summary>A JWS with header <c>{"alg":...,"typ":"JWT","kid":...}</c>, <paramref name="claims"/>, and an Ed25519 signature (RFC 8037 §3.1) over both.</summary>
    public static string EdDsaToken(Ed25519PrivateKeyParameters key, string kid, string? claims = null, string alg = "EdDSA")
    {
        var input = SigningInput(alg, kid, claims ?? Claims());
        return $"{input}.{Base64UrlEncoder.Encode(SignEd25519(key, input))}";
    }

    public static string SigningInput(string alg, string kid, string claims) =>
        $"{Base64UrlEncoder.Encode($"{{\"alg\":\"{alg}\",\"typ\":\"JWT\",\"kid\":\"{kid}\"}}")}.{Base64UrlEncoder.Encode(claims)}";

    public static byte[] SignEd25519(Ed25519PrivateKeyParameters key, string signingInput)
    {
        var message = Encoding.ASCII.GetBytes(signingInput);
        var signature = new byte[Ed25519.SignatureSize];
        key.Sign(Ed25519.Algorithm.Ed25519, null, message, 0, message.Length, signature, 0);
        return signature;
    }
}
