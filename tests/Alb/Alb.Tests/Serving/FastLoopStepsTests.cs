using System.Net;
using System.Net.Sockets;
using System.Text;
using Alb.Fast;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;

namespace Alb.Tests.Serving;

/// <summary>
/// The steps the front end's loop runs itself (CORS and its preflights, custom-headers, limit-rps, limit-connections, allow/deny lists, rewrite-target, upstream-vhost):
/// the same requests to an alb with its loop and to one without (ALB_FAST_H1=0) get the same answers, field by
/// field and byte by byte, and the loop served them (no hand-over).
/// </summary>
public sealed partial class FastLoopStepsTests : IAsyncLifetime
{
    private const string Prefix = "nginx.ingress.kubernetes.io/"; // the annotations' prefix
    private TestOrigin _origin = null!;
    private AlbInstance _loop = null!;
    private AlbInstance _general = null!;
    private readonly string _accessLog = Path.Combine(Path.GetTempPath(), $"alb-loop-steps-{Guid.NewGuid():N}.log");

    public async Task InitializeAsync()
    {
        _origin = await TestOrigin.StartAsync("o");
        var dir = new ManifestDir();
        dir.Write("all.yaml", ManifestDir.Backend("o", [_origin.Port]) + $"""
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: steps
              namespace: default
              annotations:
                {Prefix}use-regex: "true"
                {Prefix}rewrite-target: "/$2"
                {Prefix}x-forwarded-prefix: "/api"
                {Prefix}enable-cors: "true"
                {Prefix}cors-allow-origin: "https://app.example.com, https://*.bench.example.com"
                {Prefix}allowlist-source-range: "10.0.0.0/8, 127.0.0.0/8"
                {Prefix}upstream-vhost: "inside.svc"
            spec:
              ingressClassName: alb
              rules:
              - host: steps.example.com
                http:
                  paths:
                  - path: "/api(/|$)(.*)"
                    pathType: ImplementationSpecific
                    backend:
                      service:
                        name: o
                        port:
                          number: 80
            ---

            """
            + ManifestDir.Ingress("denied", "denied.example.com", "/", "o", annotations: new Dictionary<string, string>
            {
                [Prefix + "denylist-source-range"] = "127.0.0.1/32",
                [Prefix + "enable-cors"] = "true",
            })
            + ManifestDir.Ingress("limited", "limited.example.com", "/", "o", annotations: new Dictionary<string, string>
            {
                [Prefix + "limit-rps"] = "1",
                [Prefix + "limit-burst-multiplier"] = "3",
            })
            + ManifestDir.Ingress("custom", "custom.example.com", "/", "o", annotations: new Dictionary<string, string>
            {
                [Prefix + "custom-headers"] = "default/extra",
                [Prefix + "enable-cors"] = "true",
            })
            + ManifestDir.Ingress("custom-denied", "custom-denied.example.com", "/", "o", annotations: new Dictionary<string, string>
            {
                [Prefix + "custom-headers"] = "default/extra",
                [Prefix + "denylist-source-range"] = "127.0.0.1/32",
            })
            + """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: extra, namespace: default}
            data:
              X-Frame-Options: DENY
              X-Team: payments
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: alb, namespace: ingress}
            data:
              global-allowed-response-headers: "X-Frame-Options, X-Team"
            ---

            """
            + ManifestDir.Ingress("conn", "conn.example.com", "/", "o", annotations: new Dictionary<string, string>
            {
                [Prefix + "limit-connections"] = "1",
            })
            + ManifestDir.Ingress("secure", "secure.example.com", "/", "o", annotations: new Dictionary<string, string>
            {
                [Prefix + "force-ssl-redirect"] = "true",
                [Prefix + "enable-cors"] = "true",
            })
            + ManifestDir.Ingress("moved", "moved.example.com", "/", "o", annotations: new Dictionary<string, string>
            {
                [Prefix + "permanent-redirect"] = "https://new.example.com/landing",
                [Prefix + "enable-cors"] = "true",
            })
            + ManifestDir.Ingress("root", "root.example.com", "/", "o", annotations: new Dictionary<string, string>
            {
                [Prefix + "app-root"] = "/app",
                [Prefix + "enable-cors"] = "true",
            }));
        _loop = await AlbInstance.StartAsync(dir, new Dictionary<string, string> { [FastFrontEnd.Variable] = "1" }, "--access-log", _accessLog, "--configmap", "ingress/alb");
        _general = await AlbInstance.StartAsync(dir, new Dictionary<string, string> { [FastFrontEnd.Variable] = "0" }, "--configmap", "ingress/alb");
    }

    public async Task DisposeAsync()
    {
        await _loop.DisposeAsync();
        await _general.DisposeAsync();
        await _origin.DisposeAsync();
        File.Delete(_accessLog);
    }

    [Theory]
    [InlineData("GET /api/x/y?q=1 HTTP/1.1\r\nHost: steps.example.com\r\nOrigin: https://app.example.com\r\n")]
    [InlineData("GET /api/headers?Access-Control-Allow-Origin=https://evil&Vary=Accept-Encoding&X-Keep=1 HTTP/1.1\r\nHost: steps.example.com\r\nOrigin: https://a.bench.example.com\r\nX-Forwarded-Prefix: /client\r\n")]
    [InlineData("GET /api/headers?Access-Control-Allow-Origin=https://evil&Vary=Accept-Encoding HTTP/1.1\r\nHost: steps.example.com\r\nOrigin: https://evil.example.com\r\n")]
    [InlineData("GET /api/x HTTP/1.1\r\nHost: steps.example.com\r\nOrigin: https://app.example.com\r\nOrigin: https://app.example.com\r\n", false)]
    [InlineData("HEAD /api/x HTTP/1.1\r\nHost: steps.example.com\r\nOrigin: https://a.b.bench.example.com\r\n")]
    [InlineData("GET /elsewhere HTTP/1.1\r\nHost: steps.example.com\r\nOrigin: https://app.example.com\r\n")]
    [InlineData("GET /d HTTP/1.1\r\nHost: denied.example.com\r\nOrigin: https://any.example\r\n")]
    [InlineData("HEAD /d HTTP/1.1\r\nHost: denied.example.com\r\n")]
    [InlineData("GET /x/?y=1 HTTP/1.1\r\nHost: secure.example.com\r\nOrigin: https://o.example\r\n")]
    [InlineData("GET /x/ HTTP/1.1\r\nHost: secure.example.com:8080\r\n")]
    [InlineData("GET /any?q=1 HTTP/1.1\r\nHost: moved.example.com\r\nOrigin: https://o.example\r\n")]
    [InlineData("OPTIONS /api/x HTTP/1.1\r\nHost: steps.example.com\r\nOrigin: https://app.example.com\r\nAccess-Control-Request-Method: PUT\r\n")]
    [InlineData("OPTIONS /api/x HTTP/1.1\r\nHost: steps.example.com\r\nOrigin: https://evil.example.com\r\n")]
    [InlineData("OPTIONS /api/x HTTP/1.1\r\nHost: steps.example.com\r\n")]
    [InlineData("OPTIONS /d HTTP/1.1\r\nHost: denied.example.com\r\nOrigin: https://any.example\r\n")]
    [InlineData("OPTIONS * HTTP/1.1\r\nHost: steps.example.com\r\nOrigin: https://app.example.com\r\n")]
    [InlineData("GET /headers?X-Team=backend&X-Frame-Options=SAMEORIGIN&X-Keep=1 HTTP/1.1\r\nHost: custom.example.com\r\nOrigin: https://o.example\r\n")]
    [InlineData("OPTIONS /x HTTP/1.1\r\nHost: custom.example.com\r\nOrigin: https://o.example\r\n")]
    [InlineData("GET /x HTTP/1.1\r\nHost: custom-denied.example.com\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: root.example.com\r\nOrigin: https://o.example\r\n")]
    [InlineData("GET /inside HTTP/1.1\r\nHost: root.example.com\r\nOrigin: https://o.example\r\n")]
    public async Task Answers_as_the_general_path_does(string head, bool sameEcho = true)
    {
        // sameEcho false: a field sent twice reaches the backend as two lines from the loop (as nginx sends it) and as
        // one joined line from the general path, so the backend's echo of it differs; the answers' fields do not.
        await AnswerParity.AssertSameAnswersAsync(_loop, _general, head + "X-Request-ID: fixed-id\r\nConnection: close\r\n\r\n", sameEcho);
    }

    [Fact]
    public async Task Rewrites_the_path_sets_the_prefix_and_the_upstream_host_and_echoes_an_allowed_origin()
    {
        var answer = AnswerParity.Normalised(await RawHttp.SendAsync(_loop.HttpPort,
            "GET /api/x/y?q=1 HTTP/1.1\r\nHost: steps.example.com\r\nOrigin: https://a.bench.example.com\r\nConnection: close\r\n\r\n"), _loop.HttpPort);
        Assert.Equal(200, answer.Status);
        Assert.Contains("\"target\":\"/x/y?q=1\"", answer.Body, StringComparison.Ordinal);
        Assert.Contains("\"host\":\"inside.svc\"", answer.Body, StringComparison.Ordinal);
        Assert.Contains("\"x-forwarded-prefix\":\"/api\"", answer.Body, StringComparison.Ordinal);
        Assert.Contains("\"x-forwarded-host\":\"steps.example.com\"", answer.Body, StringComparison.Ordinal);
        Assert.Contains("access-control-allow-origin: https://a.bench.example.com", answer.Fields);
        Assert.Contains("vary: Origin", answer.Fields);
        var metrics = await _loop.MetricsAsync();
        Assert.Contains("alb_upstream_forward_total{path=\"loop\"} 1", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("alb_fast_handover_total{reason=\"route\"}", metrics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("POST", 11)]
    [InlineData("PUT", 0)]
    [InlineData("PATCH", 4096)]
    [InlineData("DELETE", 3)]
    [InlineData("POST", 70_000)] // past the loop's 64 KiB: handed over
    public async Task Forwards_bodies_as_the_general_path_does(string method, int length)
    {
        var request = $"{method} /api/body HTTP/1.1\r\nHost: steps.example.com\r\nContent-Length: {length}\r\nX-Request-ID: fixed-id\r\nConnection: close\r\n\r\n" + new string('b', length);
        var loop = await AnswerParity.AssertSameAnswersAsync(_loop, _general, request);
        Assert.Equal(200, loop.Status);
        Assert.Contains($"\"bytes\":{length}", loop.Body, StringComparison.Ordinal);
        var metrics = await _loop.MetricsAsync();
        Assert.Equal(length <= 64 * 1024, metrics.Contains("alb_upstream_forward_total{path=\"loop\"} 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Waits_for_a_body_that_comes_after_its_head()
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, _loop.HttpPort);
        await socket.SendAsync("POST /api/body HTTP/1.1\r\nHost: steps.example.com\r\nContent-Length: 10\r\n\r\n12345"u8.ToArray());
        await Task.Delay(300);
        await socket.SendAsync("67890GET /api/x HTTP/1.1\r\nHost: steps.example.com\r\nConnection: close\r\n\r\n"u8.ToArray());
        var both = await RawHttp.ReadToCloseAsync(socket, TimeSpan.FromSeconds(10));
        Assert.Equal([200, 200], RawHttp.Statuses(both));
        Assert.Contains("\"bytes\":10", both, StringComparison.Ordinal);
        Assert.Contains("alb_upstream_forward_total{path=\"loop\"} 2", await _loop.MetricsAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answers_redirects_itself()
    {
        var secure = await RawHttp.SendAsync(_loop.HttpPort, "GET /x/ HTTP/1.1\r\nHost: secure.example.com\r\nConnection: close\r\n\r\n");
        Assert.Equal(308, RawHttp.Status(secure));
        Assert.Contains($"Location: https://secure.example.com:{_loop.HttpsPort}/x\r\n", secure, StringComparison.Ordinal); // one trailing '/' dropped
        var moved = await RawHttp.SendAsync(_loop.HttpPort, "GET /a HTTP/1.1\r\nHost: moved.example.com\r\nConnection: close\r\n\r\n");
        Assert.Equal(301, RawHttp.Status(moved));
        Assert.Contains("Location: https://new.example.com/landing\r\n", moved, StringComparison.Ordinal);
        var root = await RawHttp.SendAsync(_loop.HttpPort, "GET / HTTP/1.1\r\nHost: root.example.com\r\nConnection: close\r\n\r\n");
        Assert.Equal(302, RawHttp.Status(root));
        Assert.Contains("Location: http://root.example.com/app\r\n", root, StringComparison.Ordinal);

        var metrics = await _loop.MetricsAsync();
        Assert.DoesNotContain("alb_fast_handover_total{reason=\"route\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("nginx_ingress_controller_requests{host=\"secure.example.com\",ingress=\"secure\",method=\"GET\",namespace=\"default\",path=\"/\",service=\"o\",status=\"308\",canary=\"\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_a_denied_address_with_403_and_keeps_the_connection()
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, _loop.HttpPort);
        await socket.SendAsync("GET /d HTTP/1.1\r\nHost: denied.example.com\r\n\r\nGET /after HTTP/1.1\r\nHost: steps.example.com\r\nConnection: close\r\n\r\n"u8.ToArray());
        var both = await RawHttp.ReadToCloseAsync(socket, TimeSpan.FromSeconds(10));
        Assert.Equal([403, 404], RawHttp.Statuses(both)); // /after matches no regex of steps.example.com: its 404
        Assert.Contains("403 Forbidden\n", both, StringComparison.Ordinal);
        var metrics = await _loop.MetricsAsync();
        Assert.Contains("nginx_ingress_controller_requests{host=\"denied.example.com\",ingress=\"denied\",method=\"GET\",namespace=\"default\",path=\"/\",service=\"o\",status=\"403\",canary=\"\"} 1", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("alb_upstream_forward_total{path=\"loop\"} 1", metrics, StringComparison.Ordinal); // nothing reached a backend
    }

    [Fact]
    public async Task A_refusal_has_its_own_request_id_in_the_access_log()
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, _loop.HttpPort);
        await socket.SendAsync("GET /api/x HTTP/1.1\r\nHost: steps.example.com\r\nX-Request-ID: first-id\r\n\r\nGET /d HTTP/1.1\r\nHost: denied.example.com\r\nConnection: close\r\n\r\n"u8.ToArray());
        Assert.Equal([200, 403], RawHttp.Statuses(await RawHttp.ReadToCloseAsync(socket, TimeSpan.FromSeconds(10))));
        string[] lines = [];
        await _loop.WaitUntilAsync(() => Task.FromResult((lines = File.Exists(_accessLog) ? File.ReadAllLines(_accessLog) : []).Length >= 2), TimeSpan.FromSeconds(10), "two access log lines");
        Assert.Contains("\"request_id\":\"first-id\"", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"status\":403", lines[1], StringComparison.Ordinal);
        Assert.Contains("\"protocol\":\"HTTP/1.1\"", lines[1], StringComparison.Ordinal);
        Assert.Matches("\"request_id\":\"[0-9a-f]{32}\"", lines[1]); // its own, not the request before it's

        Assert.Equal(200, RawHttp.Status(await RawHttp.SendAsync(_loop.HttpPort, "GET /api/x HTTP/1.0\r\nHost: steps.example.com\r\n\r\n")));
        await _loop.WaitUntilAsync(() => Task.FromResult((lines = File.ReadAllLines(_accessLog)).Length >= 3), TimeSpan.FromSeconds(10), "a third access log line");
        Assert.Contains("\"protocol\":\"HTTP/1.0\"", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Limits_requests_per_address_as_the_general_path_does()
    {
        // limit-rps 1 with a burst of 3: of eight quick requests, the first pass and the rest are refused with 503.
        var loop = await StatusesAsync(_loop.HttpPort);
        var general = await StatusesAsync(_general.HttpPort);
        Assert.Equal(general, loop);
        Assert.Equal(200, loop[0]);
        Assert.Equal(503, loop[^1]);

        static async Task<List<int>> StatusesAsync(int port)
        {
            var statuses = new List<int>();
            for (var i = 0; i < 8; i++)
            {
                statuses.Add(RawHttp.Status(await RawHttp.SendAsync(port, $"GET /r{i} HTTP/1.1\r\nHost: limited.example.com\r\nConnection: close\r\n\r\n")));
            }

            return statuses;
        }
    }
}
