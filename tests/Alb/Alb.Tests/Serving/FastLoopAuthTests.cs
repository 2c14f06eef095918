using System.Net;
using System.Net.Sockets;
using System.Text;
using Alb.Fast;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace Alb.Tests.Serving;

/// <summary>
/// The access phase on the front end's loop (basic auth, JWT, allow lists under satisfy): the same requests to an alb
/// with its loop and to one without (ALB_FAST_H1=0) get the same answers field by field; a password or token verified
/// before is decided on the loop, anything else off it (alb_fast_access_waits_total), and the connection stays on the
/// loop either way (no hand-over).
/// </summary>
public sealed class FastLoopAuthTests : IAsyncLifetime
{
    private const string Prefix = "nginx.ingress.kubernetes.io/";
    private const string Issuer = "https://login.example.com/";
    private readonly System.Security.Cryptography.RSA _rsa = System.Security.Cryptography.RSA.Create(2048);
    private TestOrigin _origin = null!;
    private AlbInstance _loop = null!;
    private AlbInstance _general = null!;

    public async Task InitializeAsync()
    {
        _origin = await TestOrigin.StartAsync("o");
        var htpasswd = "alice:" + ExternalTool.Htpasswd("-nbB", "wonderland", "-C", "5");
        var p = _rsa.ExportParameters(false);
        var jwks = $"{{\"keys\":[{{\"kty\":\"RSA\",\"kid\":\"k1\",\"use\":\"sig\",\"n\":\"{Base64UrlEncoder.Encode(p.Modulus)}\",\"e\":\"{Base64UrlEncoder.Encode(p.Exponent)}\"}}]}}";
        var dir = new ManifestDir();
        dir.Write("all.yaml", ManifestDir.Backend("o", [_origin.Port]) + $"""
            apiVersion: v1
            kind: Secret
            metadata: {"{"}name: htpasswd, namespace: default{"}"}
            data: {"{"}auth: {Convert.ToBase64String(Encoding.UTF8.GetBytes(htpasswd + "\n"))}{"}"}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {"{"}name: jwks, namespace: default{"}"}
            stringData:
              jwks: '{jwks}'
            ---

            """
            + Ing("basic", "basic.example.com", (Prefix + "auth-type", "basic"), (Prefix + "auth-secret", "htpasswd"), (Prefix + "auth-realm", "loop realm"), (Prefix + "enable-cors", "true"))
            + Ing("any", "any.example.com", (Prefix + "auth-type", "basic"), (Prefix + "auth-secret", "htpasswd"), (Prefix + "satisfy", "any"), (Prefix + "allowlist-source-range", "127.0.0.1/32"))
            + Ing("all", "all.example.com", (Prefix + "auth-type", "basic"), (Prefix + "auth-secret", "htpasswd"), (Prefix + "allowlist-source-range", "10.0.0.0/8"))
            + Ing("jwt", "jwt.example.com", ("alb.edge.io/auth-jwt-issuer", Issuer), ("alb.edge.io/auth-jwt-audiences", "api"), ("alb.edge.io/auth-jwt-jwks-secret", "jwks"),
                ("alb.edge.io/auth-jwt-claims-to-headers", "sub:X-User"))
            + Ing("header", "header.example.com", ("alb.edge.io/auth-jwt-issuer", Issuer), ("alb.edge.io/auth-jwt-audiences", "api"), ("alb.edge.io/auth-jwt-jwks-secret", "jwks"),
                ("alb.edge.io/auth-jwt-token-source", "header:X-Token"))
            + Ing("cookie", "cookie.example.com", ("alb.edge.io/auth-jwt-issuer", Issuer), ("alb.edge.io/auth-jwt-audiences", "api"), ("alb.edge.io/auth-jwt-jwks-secret", "jwks"),
                ("alb.edge.io/auth-jwt-token-source", "cookie:session"), ("alb.edge.io/auth-jwt-claims-to-headers", "sub:X-User")));
        _loop = await AlbInstance.StartAsync(dir, new Dictionary<string, string> { [FastFrontEnd.Variable] = "1" });
        _general = await AlbInstance.StartAsync(dir, new Dictionary<string, string> { [FastFrontEnd.Variable] = "0" });
    }

    public async Task DisposeAsync()
    {
        await _loop.DisposeAsync();
        await _general.DisposeAsync();
        await _origin.DisposeAsync();
        _rsa.Dispose();
    }

    [Theory]
    [InlineData("basic.example.com", null)]
    [InlineData("basic.example.com", "Basic !!!")]
    [InlineData("basic.example.com", "Bearer abc")]
    [InlineData("basic.example.com", "basic YWxpY2U6d29uZGVybGFuZA==")] // alice:wonderland, the scheme in lower case
    [InlineData("basic.example.com", "Basic YWxpY2U6d3Jvbmc=")] // alice:wrong
    [InlineData("basic.example.com", "Basic Ym9iOndvbmRlcmxhbmQ=")] // bob:wonderland (no such user: the decoy)
    [InlineData("any.example.com", null)]
    [InlineData("all.example.com", "Basic YWxpY2U6d29uZGVybGFuZA==")]
    [InlineData("jwt.example.com", null)]
    [InlineData("jwt.example.com", "Bearer not.a.token")]
    [InlineData("jwt.example.com", "Basic YWxpY2U6d29uZGVybGFuZA==")]
    [InlineData("header.example.com", null)]
    public async Task Answers_as_the_general_path_does(string host, string? authorization)
    {
        var request = $"GET /p HTTP/1.1\r\nHost: {host}\r\nOrigin: https://app.example.com\r\n" + (authorization is null ? "" : $"Authorization: {authorization}\r\n")
            + "X-Request-ID: fixed-id\r\nConnection: close\r\n\r\n";
        for (var i = 0; i < 2; i++)
        {
            await AnswerParity.AssertSameAnswersAsync(_loop, _general, request); // the second time from the caches, where they hold it
        }

        Assert.DoesNotContain("alb_fast_handover_total{reason=\"route\"}", await _loop.MetricsAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_password_verified_once_is_decided_on_the_loop_and_never_reaches_the_backend()
    {
        var request = "GET /p HTTP/1.1\r\nHost: basic.example.com\r\nAuthorization: Basic YWxpY2U6d29uZGVybGFuZA==\r\nX-Request-ID: fixed-id\r\nConnection: close\r\n\r\n";
        var before = Waits(await _loop.MetricsAsync());
        var first = await AnswerParity.AssertSameAnswersAsync(_loop, _general, request);
        Assert.Equal(200, first.Status);
        Assert.DoesNotContain("authorization", first.Body, StringComparison.OrdinalIgnoreCase); // the credentials stay at the edge
        Assert.Equal(before + 1, Waits(await _loop.MetricsAsync())); // bcrypt ran off the loop

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(200, RawHttp.Status(await RawHttp.SendAsync(_loop.HttpPort, request)));
        }

        var metrics = await _loop.MetricsAsync();
        Assert.Equal(before + 1, Waits(metrics)); // remembered: decided on the loop
        Assert.DoesNotContain("alb_fast_handover_total{reason=\"route\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("alb_upstream_forward_total{path=\"loop\"}", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_waits_off_the_loop_every_time_and_is_refused()
    {
        var request = "GET /p HTTP/1.1\r\nHost: basic.example.com\r\nAuthorization: Basic YWxpY2U6d3Jvbmcy\r\nConnection: close\r\n\r\n"; // alice:wrong2
        var before = Waits(await _loop.MetricsAsync());
        for (var i = 0; i < 2; i++)
        {
            var answer = await RawHttp.SendAsync(_loop.HttpPort, request);
            Assert.Equal(401, RawHttp.Status(answer));
            Assert.Contains("WWW-Authenticate: Basic realm=\"loop realm\"\r\n", answer, StringComparison.Ordinal);
        }

        Assert.Equal(before + 2, Waits(await _loop.MetricsAsync()));
    }

    [Fact]
    public async Task Pipelined_requests_behind_one_that_waits_are_answered_in_order_on_the_same_connection()
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, _loop.HttpPort);
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            "GET /1 HTTP/1.1\r\nHost: basic.example.com\r\nAuthorization: Basic YWxpY2U6d3Jvbmcz\r\n\r\n" // alice:wrong3: waits, then 401
            + "GET /2 HTTP/1.1\r\nHost: any.example.com\r\n\r\n" // satisfy any, from 127.0.0.1: 200
            + "GET /3 HTTP/1.1\r\nHost: basic.example.com\r\nAuthorization: Basic Ym9iOndyb25n\r\n\r\n" // bob:wrong (the decoy): waits, then 401
            + "GET /4 HTTP/1.1\r\nHost: jwt.example.com\r\nConnection: close\r\n\r\n")); // no token: 401 at once
        var all = await RawHttp.ReadToCloseAsync(socket, TimeSpan.FromSeconds(15));
        Assert.Equal([401, 200, 401, 401], RawHttp.Statuses(all));
        Assert.Contains("\"target\":\"/2\"", all, StringComparison.Ordinal);
        Assert.Contains("WWW-Authenticate: Bearer realm=\"jwt.example.com\"", all, StringComparison.Ordinal);
        Assert.DoesNotContain("alb_fast_handover_total{reason=\"route\"}", await _loop.MetricsAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_gone_while_its_password_is_verified_costs_nothing_else()
    {
        for (var i = 0; i < 5; i++)
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, _loop.HttpPort);
            await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /gone HTTP/1.1\r\nHost: basic.example.com\r\nAuthorization: Basic {Convert.ToBase64String(Encoding.ASCII.GetBytes($"alice:gone{i}"))}\r\n\r\n"));
            socket.LingerState = new LingerOption(true, 0);
            socket.Close(); // reset while bcrypt runs
        }

        await Task.Delay(500); // the verdicts come back to connections that are gone (or reused by the next clients)
        var answer = await RawHttp.SendAsync(_loop.HttpPort, "GET /after HTTP/1.1\r\nHost: any.example.com\r\nConnection: close\r\n\r\n");
        Assert.Equal(200, RawHttp.Status(answer));
        Assert.Contains("\"target\":\"/after\"", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_valid_token_passes_with_its_claims_and_never_the_clients_copies_and_is_remembered()
    {
        var token = Token(DateTime.UtcNow.AddMinutes(10));
        var request = $"GET /p HTTP/1.1\r\nHost: jwt.example.com\r\nAuthorization: Bearer {token}\r\nX-User: mallory\r\nX_User: mallory\r\nx-user: eve\r\nX-Request-ID: fixed-id\r\nConnection: close\r\n\r\n";
        var before = Waits(await _loop.MetricsAsync());
        for (var i = 0; i < 3; i++)
        {
            var answer = await AnswerParity.AssertSameAnswersAsync(_loop, _general, request);
            Assert.Equal(200, answer.Status);
            // The echo's header values are JSON strings: a client's copy would show as one (never inside the token's base64url).
            Assert.Contains("\"x-user\":\"alice\"", answer.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("\"mallory\"", answer.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("\"eve\"", answer.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("\"x_user\"", answer.Body, StringComparison.Ordinal);
        }

        Assert.Equal(before + 1, Waits(await _loop.MetricsAsync())); // the signature was checked once, off the loop

        var header = await RawHttp.SendAsync(_loop.HttpPort, $"GET /p HTTP/1.1\r\nHost: header.example.com\r\nX-Token: {token}\r\nConnection: close\r\n\r\n");
        Assert.Equal(200, RawHttp.Status(header));
    }

    [Fact]
    public async Task A_token_in_a_cookie_is_read_as_the_general_path_reads_it_and_decided_on_the_loop()
    {
        var token = Token(DateTime.UtcNow.AddMinutes(10));
        var expired = Token(DateTime.UtcNow.AddMinutes(-10));
        string[][] cookies =
        [
            [],
            ["session="],
            ["session=not.a.token"],
            [$"session={expired}"],
            [$"theme=dark; session={token}"],
            [$"session={token}; session=not.a.token"], // two of the same name: the first, as ASP.NET Core reads it
            [$"session=not.a.token; session={token}"],
            ["theme=dark", $"session={token}"], // two Cookie fields
            [$"session=\"{token}\""], // quoted
            [$"Session={token}"], // another name: cookie names are case-sensitive
            [$"session = {token}"],
        ];
        var handedOver = HandedOverForTheRoute(await _loop.MetricsAsync());
        foreach (var fields in cookies)
        {
            var request = "GET /p HTTP/1.1\r\nHost: cookie.example.com\r\n" + string.Concat(fields.Select(f => $"Cookie: {f}\r\n"))
                + "X-Request-ID: fixed-id\r\nConnection: close\r\n\r\n";
            for (var i = 0; i < 2; i++)
            {
                var answer = await AnswerParity.AssertSameAnswersAsync(_loop, _general, request);
                Assert.True(answer.Status is 200 or 401, $"{string.Join(" | ", fields)}: {answer.Status}");
                if (answer.Status == 200)
                {
                    Assert.Contains("\"x-user\":\"alice\"", answer.Body, StringComparison.Ordinal);
                }
            }
        }

        var valid = await RawHttp.SendAsync(_loop.HttpPort, $"GET /p HTTP/1.1\r\nHost: cookie.example.com\r\nCookie: session={token}\r\nConnection: close\r\n\r\n");
        Assert.Equal(200, RawHttp.Status(valid));
        Assert.Equal(handedOver, HandedOverForTheRoute(await _loop.MetricsAsync())); // every one on the loop
    }

    private static string? HandedOverForTheRoute(string metrics) =>
        metrics.Split('\n').FirstOrDefault(l => l.StartsWith("alb_fast_handover_total{reason=\"route\"}", StringComparison.Ordinal));

    [Fact]
    public async Task An_expired_token_is_refused_as_the_general_path_refuses_it()
    {
        var request = $"GET /p HTTP/1.1\r\nHost: jwt.example.com\r\nAuthorization: Bearer {Token(DateTime.UtcNow.AddMinutes(-10))}\r\nX-Request-ID: fixed-id\r\nConnection: close\r\n\r\n";
        var answer = await AnswerParity.AssertSameAnswersAsync(_loop, _general, request);
        Assert.Equal(401, answer.Status);
        Assert.Contains("www-authenticate: Bearer realm=\"jwt.example.com\", error=\"invalid_token\", error_description=\"the token has expired\"", answer.Fields);
    }

    private static long Waits(string metrics) =>
        metrics.Split('\n').FirstOrDefault(l => l.StartsWith("alb_fast_access_waits_total ", StringComparison.Ordinal)) is { } line
            ? long.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture)
            : 0;

    private string Token(DateTime expires)
    {
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = "api",
            Claims = new Dictionary<string, object> { ["sub"] = "alice" },
            NotBefore = expires.AddMinutes(-30),
            IssuedAt = expires.AddMinutes(-30),
            Expires = expires,
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(_rsa) { KeyId = "k1" }, SecurityAlgorithms.RsaSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    private static string Ing(string name, string host, params (string Key, string Value)[] annotations) =>
        ManifestDir.Ingress(name, host, "/", "o", annotations: annotations.ToDictionary(a => a.Key, a => a.Value));
}
