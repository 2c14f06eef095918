using System.Net;
using System.Text.Json;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Org.BouncyCastle.Crypto.Parameters;
using Xunit;
using static Alb.Tests.Auth.JwtFixtures;

namespace Alb.Tests.Proxy.Lean;

/// <summary>
/// The lean HTTP/1.1 client forwards annotated routes too (upstream-vhost, rewrite-target, X-Forwarded-Prefix, CORS,
/// basic auth, external auth and JWT headers): the same requests through two alb, one with the lean client (the
/// default) and one with <c>ALB_LEAN_H1=0</c> (YARP), reach the backend with the same target, Host and fields, and
/// come back with the same status and fields. Routes whose transforms need the backend's status before the copy
/// (custom-http-errors, proxy-next-upstream http_NNN) or close the upstream connection stay with YARP, and the
/// metric says so.
/// </summary>
public sealed class LeanParityTests : IAsyncLifetime
{
    private const string GoodBasic = "Basic cm9vdDpwYXNzd29yZA=="; // root:password
    private readonly Ed25519PrivateKeyParameters _key = NewEd25519();
    private TestOrigin _web = null!;
    private WebApplication _auth = null!;
    private WebApplication _jwks = null!;
    private AlbInstance _lean = null!;
    private AlbInstance _general = null!;

    public async Task InitializeAsync()
    {
        _web = await TestOrigin.StartAsync("web");
        var authPort = FreePort.Next();
        var jwksPort = FreePort.Next();
        _auth = await ServeAsync(authPort, context =>
        {
            context.Response.Headers["X-User"] = "alice-ext";
            return Task.CompletedTask;
        });
        _jwks = await ServeAsync(jwksPort, context => Json(context, Jwk(_key, "ed-1")));
        var manifests = ManifestDir.Backend("web", [_web.Port]) +
            "apiVersion: v1\nkind: Secret\nmetadata: {name: htpasswd, namespace: default}\nstringData:\n  auth: \"root:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\"\n---\n" +
            Ing("vhost", "vhost.example.com", ("upstream-vhost", "internal.example")) +
            Regex("rewrite", "rewrite.example.com", "/api(/|$)(.*)", ("rewrite-target", "/$2"), ("x-forwarded-prefix", "/api")) +
            Regex("dots", "dots.example.com", "/api(/|$)(.*)", ("rewrite-target", "/base/../$2")) +
            Ing("cors", "cors.example.com", ("enable-cors", "true"), ("cors-allow-origin", "https://app.example.com"), ("cors-expose-headers", "X-Trace")) +
            Ing("basic", "basic.example.com", ("auth-type", "basic"), ("auth-secret", "htpasswd")) +
            Ing("ext", "ext.example.com", ("auth-url", $"http://127.0.0.1:{authPort}/verify"), ("auth-response-headers", "X-User"),
                ("auth-jwt-issuer", Issuer), ("auth-jwt-audiences", "api"), ("auth-jwt-jwks-url", $"http://127.0.0.1:{jwksPort}/keys"),
                ("auth-jwt-algorithms", "EdDSA"), ("auth-jwt-token-source", "header:X-Token"), ("auth-jwt-claims-to-headers", "sub:X-Sub")) +
            Ing("errors", "errors.example.com", ("custom-http-errors", "503")) +
            Ing("retry", "retry.example.com", ("proxy-next-upstream", "error timeout http_502")) +
            Ing("close", "close.example.com", ("connection-proxy-header", "close"));
        var lean = new ManifestDir();
        lean.Write("all.yaml", manifests);
        _lean = await AlbInstance.StartAsync(lean);
        var general = new ManifestDir();
        general.Write("all.yaml", manifests);
        _general = await AlbInstance.StartAsync(general, LeanMetrics.Off);
    }

    public async Task DisposeAsync()
    {
        await _lean.DisposeAsync();
        await _general.DisposeAsync();
        await _auth.DisposeAsync();
        await _jwks.DisposeAsync();
        await _web.DisposeAsync();
    }

    private static string Regex(string name, string host, string path, params (string Key, string Value)[] annotations) =>
        ManifestDir.Ingress(name, host, path, "web", annotations: annotations.Prepend(("use-regex", "true")).ToDictionary(a => "nginx.ingress.kubernetes.io/" + a.Item1, a => a.Item2));

    public static TheoryData<string, string, string[]> Requests => new()
    {
        { "vhost.example.com", "/a/b?x=1&y=%20z", ["X-Forwarded-Host: spoofed", "X-Real-IP: 10.9.9.9"] },
        { "rewrite.example.com", "/api/items/7?q=1", ["X-Forwarded-Prefix: /client-sent"] },
        { "rewrite.example.com", "/api", [] },
        { "dots.example.com", "/api/x", [] }, // a dot segment in the rewritten path: YARP's Uri resolves it, so YARP forwards it
        { "cors.example.com", "/", ["Origin: https://app.example.com"] },
        { "basic.example.com", "/", ["Authorization: " + GoodBasic, "Proxy-Authorization: Basic eA=="] },
        { "errors.example.com", "/", [] },
        { "retry.example.com", "/", [] },
        { "close.example.com", "/", [] },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task The_backend_sees_the_same_request_and_the_client_the_same_answer_from_both_clients(string host, string target, string[] fields)
    {
        var (leanStatus, leanFields, leanSeen) = await SendAsync(_lean, host, target, fields);
        var (generalStatus, generalFields, generalSeen) = await SendAsync(_general, host, target, fields);
        Assert.Equal(HttpStatusCode.OK, generalStatus);
        Assert.Equal(generalStatus, leanStatus);
        Assert.Equal(generalFields, leanFields);
        Assert.Equal(generalSeen, leanSeen);
    }

    [Fact]
    public async Task The_auth_set_fields_replace_every_client_copy_on_both_clients()
    {
        string[] fields = ["Authorization: " + GoodBasic, "X-Token: " + EdDsaToken(_key, "ed-1"), "X-User: mallory", "X_User: mallory", "x-sub: mallory", "X_SUB: mallory"];
        var (leanStatus, _, leanSeen) = await SendAsync(_lean, "ext.example.com", "/", fields);
        var (generalStatus, _, generalSeen) = await SendAsync(_general, "ext.example.com", "/", fields);
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (leanStatus, generalStatus));
        Assert.Equal(generalSeen, leanSeen);
        Assert.Contains("x-user: alice-ext", leanSeen);
        Assert.Contains("x-sub: alice", leanSeen);
        Assert.DoesNotContain(leanSeen, f => f.Contains("mallory", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Each_route_is_counted_by_the_client_that_forwarded_it()
    {
        async Task<(double Lean, double General)> CountAsync(string host, string target)
        {
            var before = await _lean.MetricsAsync();
            await SendAsync(_lean, host, target, []);
            var after = await _lean.MetricsAsync();
            return (LeanMetrics.Own(after) - LeanMetrics.Own(before), LeanMetrics.Forwarded(after, "general") - LeanMetrics.Forwarded(before, "general"));
        }

        Assert.Equal((1, 0), await CountAsync("vhost.example.com", "/"));
        Assert.Equal((1, 0), await CountAsync("rewrite.example.com", "/api/x"));
        Assert.Equal((1, 0), await CountAsync("cors.example.com", "/"));
        Assert.Equal((0, 1), await CountAsync("dots.example.com", "/api/x"));
        Assert.Equal((0, 1), await CountAsync("errors.example.com", "/"));
        Assert.Equal((0, 1), await CountAsync("retry.example.com", "/"));
        Assert.Equal((0, 1), await CountAsync("close.example.com", "/"));
    }

    /// <summary>
    /// The status, the answer's fields (but Date) as "name: value" lines, and what the backend saw: its target, Host
    /// and fields as lines, X-Forwarded-Port (each alb's own port) left out.
    /// </summary>
    private static async Task<(HttpStatusCode Status, List<string> Fields, List<string> Seen)> SendAsync(AlbInstance alb, string host, string target, string[] fields)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, target) { Headers = { Host = host } };
        request.Headers.TryAddWithoutValidation("X-Request-ID", "parity-1");
        foreach (var field in fields)
        {
            var colon = field.IndexOf(':', StringComparison.Ordinal);
            request.Headers.TryAddWithoutValidation(field[..colon], field[(colon + 2)..]);
        }

        using var response = await alb.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var answer = response.Headers.Concat(response.Content.Headers).Where(h => h.Key != "Date")
            .Select(h => $"{h.Key.ToLowerInvariant()}: {string.Join(", ", h.Value)}").Order(StringComparer.Ordinal).ToList();
        var seen = new List<string>();
        if (body.StartsWith('{'))
        {
            var echo = JsonDocument.Parse(body).RootElement;
            seen.Add("target " + echo.GetProperty("target").GetString());
            seen.Add("host " + echo.GetProperty("host").GetString());
            seen.AddRange(echo.GetProperty("headers").EnumerateObject().Where(p => p.Name != "x-forwarded-port").Select(p => $"{p.Name}: {p.Value.GetString()}").Order(StringComparer.Ordinal));
        }

        return (response.StatusCode, answer, seen);
    }
}
