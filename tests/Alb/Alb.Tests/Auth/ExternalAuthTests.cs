using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Alb.Tests.Auth;

/// <summary>
/// auth-url end to end with a real auth service over real sockets, as ingress-nginx's e2e suite checks it: what the
/// auth service is sent, what the backend sees, how each answer of the auth service is passed on, and that nothing
/// but a 2xx ever reaches the backend.
/// </summary>
public sealed class ExternalAuthTests : IAsyncLifetime
{
    private const string P = "nginx.ingress.kubernetes.io/";
    private TestOrigin _web = null!;
    private WebApplication _auth = null!;
    private int _authPort;
    private AlbInstance _alb = null!;
    private readonly ConcurrentQueue<Dictionary<string, string>> _seen = new();

    public async Task InitializeAsync()
    {
        _web = await TestOrigin.StartAsync("web");
        _authPort = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, _authPort));
        _auth = builder.Build();
        _auth.Run(AnswerAsync);
        await _auth.StartAsync();

        var url = $"http://127.0.0.1:{_authPort}/verify";
        var closed = $"http://127.0.0.1:{FreePort.Next()}/verify";
        var dir = new ManifestDir();
        dir.Write("backends.yaml", ManifestDir.Backend("web", [_web.Port]) + $$"""
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: alb, namespace: ingress}
            data:
              proxy-read-timeout: "2"
              global-auth-url: "{{url}}?global=1"
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: auth-headers, namespace: default}
            data: {X-Tenant: blue}

            """);
        dir.Write("ingresses.yaml", string.Concat(
            Ing("ext", "ext.example.com", "/", ("auth-url", url), ("auth-response-headers", "X-User, X-Groups"), ("auth-proxy-set-headers", "default/auth-headers")),
            Ing("acme", "ext.example.com", "/.well-known/acme-challenge", ("auth-url", url)),
            Ing("signin", "signin.example.com", "/", ("auth-url", url), ("auth-signin", "https://login.example.com/start")),
            Ing("cached", "cached.example.com", "/", ("auth-url", url + "?cached=1"), ("auth-cache-key", "$http_authorization"), ("auth-cache-duration", "200 1m")),
            Ing("method", "method.example.com", "/", ("auth-url", url), ("auth-method", "POST")),
            Ing("vars", "vars.example.com", "/", ("auth-url", $"http://127.0.0.1:{_authPort}/verify?host=$host&uri=$escaped_request_uri")),
            Ing("down", "down.example.com", "/", ("auth-url", closed)),
            Ing("any", "any.example.com", "/", ("auth-url", url), ("satisfy", "any"), ("allowlist-source-range", "127.0.0.1")),
            Ing("bad-scheme", "bad-scheme.example.com", "/", ("auth-url", "ftp://auth.example.com/verify")),
            Ing("bad-chars", "bad-chars.example.com", "/", ("auth-url", "http://auth.example.com/verify;x=1")),
            Ing("bad-duration", "bad-duration.example.com", "/", ("auth-url", url), ("auth-cache-key", "$host"), ("auth-cache-duration", "200 forever%")),
            Ing("bad-cookie", "bad-cookie.example.com", "/", ("auth-url", url), ("auth-always-set-cookie", "maybe")),
            Ing("bad-redirect", "bad-redirect.example.com", "/", ("auth-url", url), ("auth-request-redirect", "$x")),
            Ing("bad-headers", "bad-headers.example.com", "/", ("auth-url", url), ("auth-response-headers", "X User")),
            Ing("global", "global.example.com", "/"),
            Ing("opt-out", "opt-out.example.com", "/", ("enable-global-auth", "false"))));
        _alb = await AlbInstance.StartAsync(dir, "--configmap", "ingress/alb");
    }

    public async Task DisposeAsync()
    {
        await _alb.DisposeAsync();
        await _auth.DisposeAsync();
        await _web.DisposeAsync();
    }

    /// <summary>The auth service: "Bearer good" passes (with X-User, X-Groups and a cookie), "Bearer user-only" passes with X-User only, "forbidden" 403, "boom" 502, "moved" 302, "slow" takes 10 s; anything else 401.</summary>
    private async Task AnswerAsync(HttpContext context)
    {
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        headers[":method"] = context.Request.Method;
        headers[":target"] = context.Request.Path + context.Request.QueryString.Value;
        headers[":body"] = (await new StreamReader(context.Request.Body).ReadToEndAsync()).Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _seen.Enqueue(headers);
        var response = context.Response;
        switch (context.Request.Headers.Authorization.ToString())
        {
            case "Bearer good":
                response.Headers["X-User"] = "alice";
                response.Headers["X-Groups"] = "admins";
                response.Headers.SetCookie = "session=abc; Path=/";
                return;
            case "Bearer user-only":
                response.Headers["X-User"] = "bob";
                return;
            case "Bearer forbidden":
                response.StatusCode = 403;
                return;
            case "Bearer boom":
                response.StatusCode = 502;
                return;
            case "Bearer moved":
                response.StatusCode = 302;
                response.Headers.Location = "http://elsewhere.example.com/";
                return;
            case "Bearer slow":
                await Task.Delay(10_000, context.RequestAborted);
                return;
            default:
                response.StatusCode = 401;
                response.Headers.WWWAuthenticate = "Bearer realm=\"edge\"";
                return;
        }
    }

    [Fact]
    public async Task A_passed_request_reaches_the_backend_with_the_auth_answers_headers_and_never_the_clients_copies()
    {
        var (status, body, response) = await SendAsync(HttpMethod.Get, "ext.example.com", "/app?q=1", "Bearer good",
            ("X-User", "mallory"), ("X_User", "mallory"), ("x-groups", "root"), ("Connection", "X-User"));
        Assert.Equal(HttpStatusCode.OK, status);
        var headers = body.GetProperty("headers");
        Assert.Equal("alice", headers.GetProperty("x-user").GetString());
        Assert.Equal("admins", headers.GetProperty("x-groups").GetString());
        Assert.False(headers.TryGetProperty("x_user", out _), "the underscore spelling of an auth header reached the backend");
        Assert.Equal("Bearer good", headers.GetProperty("authorization").GetString()); // external auth keeps Authorization, as ingress-nginx
        Assert.Contains("session=abc; Path=/", response.Headers.GetValues("Set-Cookie"));

        var (userOnly, only, _) = await SendAsync(HttpMethod.Get, "ext.example.com", "/", "Bearer user-only", ("X-Groups", "root"));
        Assert.Equal(HttpStatusCode.OK, userOnly);
        Assert.False(only.GetProperty("headers").TryGetProperty("x-groups", out _), "a header the auth answer lacks must not come from the client");
    }

    [Fact]
    public async Task The_auth_service_is_sent_what_ingress_nginx_sends_and_no_body()
    {
        _seen.Clear();
        await SendAsync(HttpMethod.Post, "ext.example.com", "/upload?x=1", "Bearer good", ("X-Original-URL", "http://spoofed/"), ("X-Forwarded-Proto", "https"));
        var seen = Assert.Single(_seen);
        Assert.Equal("GET", seen[":method"]);
        Assert.Equal("/verify", seen[":target"]);
        Assert.Equal("0", seen[":body"]);
        Assert.Equal("http://ext.example.com/upload?x=1", seen["x-original-url"]);
        Assert.Equal("POST", seen["x-original-method"]);
        Assert.Equal("nginx-ingress-controller", seen["x-sent-from"]);
        Assert.Equal("/upload?x=1", seen["x-auth-request-redirect"]);
        Assert.Equal("127.0.0.1", seen["x-real-ip"]);
        Assert.Equal("127.0.0.1", seen["x-forwarded-for"]);
        Assert.Equal("127.0.0.1", seen["host"]);
        Assert.Equal("blue", seen["x-tenant"]);
        Assert.Equal("Bearer good", seen["authorization"]);
        Assert.False(seen.ContainsKey("x-forwarded-proto"));
        Assert.False(seen.ContainsKey("content-length") && seen["content-length"] != "0");

        _seen.Clear();
        await SendAsync(HttpMethod.Get, "method.example.com", "/m?y=2", "Bearer good");
        seen = Assert.Single(_seen);
        Assert.Equal("POST", seen[":method"]);
        Assert.Equal("/m?y=2", seen["x-original-uri"]);
        Assert.Equal("http", seen["x-scheme"]);

        _seen.Clear();
        await SendAsync(HttpMethod.Get, "vars.example.com", "/a b?c=d", "Bearer good");
        Assert.Equal("/verify?host=vars.example.com&uri=%2Fa%2520b%3Fc%3Dd", Assert.Single(_seen)[":target"]);
    }

    [Fact]
    public async Task Refusals_are_passed_on_and_every_other_answer_is_500()
    {
        var before = _web.Requests;
        var (status, _, response) = await SendAsync(HttpMethod.Get, "ext.example.com", "/", null);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("Bearer realm=\"edge\"", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Get, "ext.example.com", "/", "Bearer forbidden")).Status);
        Assert.Equal(HttpStatusCode.InternalServerError, (await SendAsync(HttpMethod.Get, "ext.example.com", "/", "Bearer boom")).Status);
        Assert.Equal(HttpStatusCode.InternalServerError, (await SendAsync(HttpMethod.Get, "ext.example.com", "/", "Bearer moved")).Status);
        Assert.Equal(HttpStatusCode.InternalServerError, (await SendAsync(HttpMethod.Get, "ext.example.com", "/", "Bearer slow")).Status);
        Assert.Equal(HttpStatusCode.InternalServerError, (await SendAsync(HttpMethod.Get, "down.example.com", "/", "Bearer good")).Status);
        Assert.Equal(before, _web.Requests);
    }

    [Fact]
    public async Task A_401_becomes_a_redirect_to_auth_signin_with_the_original_url()
    {
        var (status, _, response) = await SendAsync(HttpMethod.Get, "signin.example.com", "/a?b=c&d=e", null);
        Assert.Equal(HttpStatusCode.Found, status);
        Assert.Equal("https://login.example.com/start?rd=http://signin.example.com%2Fa%3Fb%3Dc%26d%3De", response.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Get, "signin.example.com", "/", "Bearer forbidden")).Status);
    }

    [Fact]
    public async Task Cached_answers_spare_the_auth_service_per_key()
    {
        _seen.Clear();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "cached.example.com", "/", "Bearer good")).Status);
        }

        Assert.Single(_seen);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "cached.example.com", "/", "Bearer user-only")).Status);
        Assert.Equal(2, _seen.Count);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, "cached.example.com", "/", "Bearer nobody")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, "cached.example.com", "/", "Bearer nobody")).Status);
        Assert.Equal(4, _seen.Count); // 401 is not in "200 1m": asked each time
    }

    [Fact]
    public async Task Broken_configurations_fail_closed_where_ingress_nginx_would_serve_unauthenticated()
    {
        var before = _web.Requests;
        foreach (var host in new[] { "bad-scheme", "bad-duration", "bad-cookie", "bad-redirect", "bad-headers" })
        {
            Assert.True((await SendAsync(HttpMethod.Get, $"{host}.example.com", "/", "Bearer good")).Status == HttpStatusCode.ServiceUnavailable, host);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, "bad-chars.example.com", "/", "Bearer good")).Status);
        Assert.Equal(before, _web.Requests);
    }

    [Fact]
    public async Task Global_auth_protects_routes_without_their_own_unless_they_opt_out()
    {
        _seen.Clear();
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, "global.example.com", "/", null)).Status);
        Assert.Equal("/verify?global=1", Assert.Single(_seen)[":target"]);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "global.example.com", "/", "Bearer good")).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "opt-out.example.com", "/", null)).Status);
    }

    [Fact]
    public async Task Acme_paths_and_satisfy_any_from_an_allowed_address_skip_the_auth_service()
    {
        _seen.Clear();
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "ext.example.com", "/.well-known/acme-challenge/t", null)).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "any.example.com", "/", null)).Status);
        Assert.Empty(_seen);
    }

    private static string Ing(string name, string host, string path, params (string Key, string Value)[] annotations) =>
        ManifestDir.Ingress(name, host, path, "web", annotations: annotations.ToDictionary(a => P + a.Key, a => a.Value));

    private async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> SendAsync(HttpMethod method, string host, string path, string? authorization, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path) { Headers = { Host = host } };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (method == HttpMethod.Post)
        {
            request.Content = new StringContent("a body the auth service must not see");
        }

        var response = await _alb.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.StartsWith('{') ? JsonDocument.Parse(text).RootElement.Clone() : default, response);
    }
}
