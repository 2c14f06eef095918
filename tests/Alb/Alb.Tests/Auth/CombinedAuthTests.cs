using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Org.BouncyCastle.Crypto.Parameters;
using Xunit;
using static Alb.Tests.Auth.JwtFixtures;

namespace Alb.Tests.Auth;

/// <summary>
/// Basic auth, external auth (auth-url) and JWT on one route, as docs/alb-auth.md §satisfy documents them: the checks
/// run in nginx's access-phase order (source ranges, basic, external, JWT); <c>satisfy: all</c> answers with the first
/// refusal and needs every check; <c>satisfy: any</c> lets the first passing check in and answers 401 over 403 when
/// none passes; an error (the auth service down: 500) answers at once in both modes. The auth service counts its
/// calls, so a test can tell whether alb reached the external check at all. Basic credentials travel in
/// Authorization, the JWT in X-Token (one header cannot carry both) and the auth service's verdict is chosen by X-Ext.
/// </summary>
public sealed class CombinedAuthTests : IAsyncLifetime
{
    private const string GoodBasic = "Basic cm9vdDpwYXNzd29yZA=="; // root:password
    private const string WrongBasic = "Basic cm9vdDp3cm9uZw=="; // root:wrong
    private const string Realm = "Basic realm=\"combined\"";
    private const string ExtChallenge = "Bearer realm=\"ext\"";
    private readonly Ed25519PrivateKeyParameters _key = NewEd25519();
    private readonly ConcurrentQueue<string> _calls = new();
    private TestOrigin _web = null!;
    private WebApplication _auth = null!;
    private WebApplication _jwks = null!;
    private AlbInstance _alb = null!;

    public async Task InitializeAsync()
    {
        _web = await TestOrigin.StartAsync("web");
        var authPort = FreePort.Next();
        var jwksPort = FreePort.Next();
        _auth = await ServeAsync(authPort, AnswerAsync);
        _jwks = await ServeAsync(jwksPort, context => Json(context, Jwk(_key, "ed-1")));
        var dir = new ManifestDir();
        dir.Write("backends.yaml", ManifestDir.Backend("web", [_web.Port]) +
            "apiVersion: v1\nkind: Secret\nmetadata: {name: htpasswd, namespace: default}\nstringData:\n  auth: \"root:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\"\n---\n");
        var ext = $"http://127.0.0.1:{authPort}/verify";
        var down = $"http://127.0.0.1:{FreePort.Next()}/verify";
        var jwt = $"http://127.0.0.1:{jwksPort}/keys";
        dir.Write("ingresses.yaml", string.Concat(
            Ing("all", "all.example.com", Checks(ext, jwt)),
            Ing("ranges-all", "ranges-all.example.com", [.. Checks(ext, jwt), ("whitelist-source-range", "10.0.0.0/8")]),
            Ing("any", "any.example.com", [.. Checks(ext, jwt), ("satisfy", "any"), ("whitelist-source-range", "10.0.0.0/8")]),
            Ing("any-allowed", "any-allowed.example.com", [.. Checks(ext, jwt), ("satisfy", "any"), ("whitelist-source-range", "127.0.0.1/32")]),
            Ing("down", "down.example.com", Checks(down, jwt)),
            Ing("down-any", "down-any.example.com", [.. Checks(down, jwt), ("satisfy", "any"), ("whitelist-source-range", "10.0.0.0/8")]),
            Ing("no-keys-any", "no-keys-any.example.com", [.. Checks(ext, $"http://127.0.0.1:{FreePort.Next()}/keys"), ("satisfy", "any"), ("whitelist-source-range", "10.0.0.0/8")])));
        _alb = await AlbInstance.StartAsync(dir);
    }

    public async Task DisposeAsync()
    {
        await _alb.DisposeAsync();
        await _auth.DisposeAsync();
        await _jwks.DisposeAsync();
        await _web.DisposeAsync();
    }

    /// <summary>The auth service: X-Ext "ok" passes (with X-User), "forbidden" 403, "boom" 502, anything else 401 with its own challenge.</summary>
    private Task AnswerAsync(HttpContext context)
    {
        _calls.Enqueue(context.Request.Headers["X-Original-URL"].ToString());
        var response = context.Response;
        switch (context.Request.Headers["X-Ext"].ToString())
        {
            case "ok":
                response.Headers["X-User"] = "alice-ext";
                break;
            case "forbidden":
                response.StatusCode = 403;
                break;
            case "boom":
                response.StatusCode = 502;
                break;
            default:
                response.StatusCode = 401;
                response.Headers.WWWAuthenticate = ExtChallenge;
                break;
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task Satisfy_all_answers_with_the_first_refusal_in_the_documented_order()
    {
        var before = _web.Requests;

        // Source ranges come first: 403 (not basic's 401), and the auth service is never asked.
        await ExpectAsync("ranges-all.example.com", null, null, null, HttpStatusCode.Forbidden, null, calls: 0);
        await ExpectAsync("ranges-all.example.com", GoodBasic, "ok", Token(), HttpStatusCode.Forbidden, null, calls: 0);

        // Basic before external: with nothing at all, basic's challenge, and the auth service is never asked.
        await ExpectAsync("all.example.com", null, null, null, HttpStatusCode.Unauthorized, Realm, calls: 0);
        await ExpectAsync("all.example.com", WrongBasic, "ok", Token(), HttpStatusCode.Unauthorized, Realm, calls: 0);

        // External before JWT: basic passed, the auth service refuses; its answer wins over the missing token's 401.
        await ExpectAsync("all.example.com", GoodBasic, null, null, HttpStatusCode.Unauthorized, ExtChallenge, calls: 1);
        await ExpectAsync("all.example.com", GoodBasic, "forbidden", null, HttpStatusCode.Forbidden, null, calls: 1);

        // JWT last: basic and external passed, then the token decides.
        await ExpectAsync("all.example.com", GoodBasic, "ok", null, HttpStatusCode.Unauthorized, "Bearer realm=\"all.example.com\"", calls: 1);
        Assert.Equal(before, _web.Requests);
    }

    [Fact]
    public async Task Satisfy_all_needs_every_check()
    {
        var before = _web.Requests;
        var (status, body, _) = await SendAsync("all.example.com", GoodBasic, "ok", Token());
        Assert.Equal(HttpStatusCode.OK, status);
        var headers = body.GetProperty("headers");
        Assert.Equal("alice-ext", headers.GetProperty("x-user").GetString()); // the external check ran
        Assert.Equal("alice", headers.GetProperty("x-sub").GetString()); // the JWT check ran
        Assert.False(headers.TryGetProperty("authorization", out _), "basic auth's Authorization reached the backend");
        Assert.Equal(before + 1, _web.Requests);

        // Any one of the three missing is a refusal, whichever two passed.
        await ExpectAsync("all.example.com", WrongBasic, "ok", Token(), HttpStatusCode.Unauthorized, Realm, calls: 0);
        await ExpectAsync("all.example.com", GoodBasic, "no", Token(), HttpStatusCode.Unauthorized, ExtChallenge, calls: 1);
        var (_, _, invalid) = await ExpectAsync("all.example.com", GoodBasic, "ok", Token(NewEd25519()), HttpStatusCode.Unauthorized, null, calls: 1);
        Assert.Contains("error=\"invalid_token\"", invalid.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(before + 1, _web.Requests);
    }

    [Fact]
    public async Task Satisfy_any_lets_the_first_passing_check_in_and_prefers_401_when_none_passes()
    {
        var before = _web.Requests;

        // An allowed address is the first check: nothing else is asked.
        await ExpectAsync("any-allowed.example.com", null, null, null, HttpStatusCode.OK, null, calls: 0);

        // Outside the range: basic passing is enough, and the auth service is never asked.
        await ExpectAsync("any.example.com", GoodBasic, null, null, HttpStatusCode.OK, null, calls: 0);

        // Basic refused: the external check lets in; refused there too, the JWT alone lets in.
        await ExpectAsync("any.example.com", WrongBasic, "ok", null, HttpStatusCode.OK, null, calls: 1);
        await ExpectAsync("any.example.com", WrongBasic, "no", Token(), HttpStatusCode.OK, null, calls: 1);
        Assert.Equal(before + 4, _web.Requests);

        // Nothing passes: 401 over the range's (and the auth service's) 403, with the first challenge (basic's).
        await ExpectAsync("any.example.com", null, null, null, HttpStatusCode.Unauthorized, Realm, calls: 1);
        await ExpectAsync("any.example.com", WrongBasic, "forbidden", Token(NewEd25519()), HttpStatusCode.Unauthorized, Realm, calls: 1);
        Assert.Equal(before + 4, _web.Requests);
    }

    [Fact]
    public async Task An_error_in_one_check_answers_at_once_and_never_reaches_the_backend()
    {
        var before = _web.Requests;

        // satisfy all: the auth service down is 500 at once; the JWT check after it is not reached (else 401).
        await ExpectAsync("down.example.com", GoodBasic, "ok", null, HttpStatusCode.InternalServerError, null, calls: 0);
        await ExpectAsync("down.example.com", GoodBasic, "ok", Token(), HttpStatusCode.InternalServerError, null, calls: 0);

        // satisfy any: the error answers although the valid token after it would let the request in.
        await ExpectAsync("down-any.example.com", WrongBasic, "ok", Token(), HttpStatusCode.InternalServerError, null, calls: 0);
        await ExpectAsync("any.example.com", WrongBasic, "boom", Token(), HttpStatusCode.InternalServerError, null, calls: 1);

        // The JWT's own error (keys never fetched: 503) in satisfy any, after basic and external refused.
        await ExpectAsync("no-keys-any.example.com", WrongBasic, "no", Token(), HttpStatusCode.ServiceUnavailable, null, calls: 1);
        Assert.Equal(before, _web.Requests);

        // A check before the broken one that passes still lets satisfy any in, without asking the auth service.
        await ExpectAsync("down-any.example.com", GoodBasic, null, null, HttpStatusCode.OK, null, calls: 0);
        Assert.Equal(before + 1, _web.Requests);
    }

    /// <summary>basic (realm "combined"), auth-url <paramref name="ext"/> passing X-User on, and JWT (EdDSA, from X-Token, sub sent as X-Sub).</summary>
    private static (string Key, string Value)[] Checks(string ext, string jwks) =>
    [
        ("auth-type", "basic"), ("auth-secret", "htpasswd"), ("auth-realm", "combined"),
        ("auth-url", ext), ("auth-response-headers", "X-User"),
        ("auth-jwt-issuer", Issuer), ("auth-jwt-audiences", "api"), ("auth-jwt-jwks-url", jwks), ("auth-jwt-algorithms", "EdDSA"),
        ("auth-jwt-token-source", "header:X-Token"), ("auth-jwt-claims-to-headers", "sub:X-Sub"),
    ];

    /// <summary>A valid token signed with the JWKS key, or with <paramref name="other"/> (then its signature does not verify).</summary>
    private string Token(Ed25519PrivateKeyParameters? other = null) => EdDsaToken(other ?? _key, "ed-1");

    /// <summary>Sends, then asserts the status, the challenge (when given) and how often the auth service was asked.</summary>
    private async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> ExpectAsync(
        string host, string? authorization, string? ext, string? token, HttpStatusCode status, string? challenge, int calls)
    {
        var asked = _calls.Count;
        var result = await SendAsync(host, authorization, ext, token);
        var what = $"{host} basic={authorization is not null} ext={ext} token={token is not null}";
        Assert.True(result.Status == status, $"{what}: {result.Status}, expected {status}");
        if (challenge is not null)
        {
            Assert.Equal(challenge, result.Response.Headers.WwwAuthenticate.ToString());
        }

        Assert.True(_calls.Count - asked == calls, $"{what}: the auth service was asked {_calls.Count - asked} time(s), expected {calls}");
        return result;
    }

    private Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> SendAsync(string host, string? authorization, string? ext, string? token)
    {
        var headers = new List<(string, string)>();
        if (ext is not null)
        {
            headers.Add(("X-Ext", ext));
        }

        if (token is not null)
        {
            headers.Add(("X-Token", token));
        }

        return JwtFixtures.SendAsync(_alb, host, authorization, [.. headers]);
    }
}
