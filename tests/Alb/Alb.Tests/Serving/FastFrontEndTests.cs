using System.Net;
using Alb.Cli;
using Alb.Fast;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;

namespace Alb.Tests.Serving;

/// <summary>
/// alb's own front end on the plain HTTP listener (the default; ALB_FAST_H1=1 here to say so): its loops serve a GET or
/// HEAD on a route whose steps they run, and hand every other connection to Kestrel, at a request's start, with the
/// bytes already read; the counters say which and why. scripts/test.sh runs the whole of Alb.Tests once with the front
/// end (the default) and once with ALB_FAST_H1=0.
/// </summary>
public sealed class FastFrontEndTests : IAsyncLifetime
{
    private TestOrigin _origin = null!;
    private AlbInstance _alb = null!;

    public async Task InitializeAsync()
    {
        _origin = await TestOrigin.StartAsync("o");
        var dir = new ManifestDir();
        dir.Write("all.yaml", ManifestDir.Backend("o", [_origin.Port]) + ManifestDir.Ingress("app", "app.example.com", "/", "o")
            + ManifestDir.Ingress("general", "general.example.com", "/", "o", annotations: new Dictionary<string, string> { ["nginx.ingress.kubernetes.io/proxy-buffering"] = "on" }) + """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: alb, namespace: ingress}
            data:
              keep-alive-requests: "4"
            """);
        _alb = await AlbInstance.StartAsync(dir, new Dictionary<string, string> { [FastFrontEnd.Variable] = "1" }, "--configmap", "ingress/alb");
    }

    public async Task DisposeAsync()
    {
        await _alb.DisposeAsync();
        await _origin.DisposeAsync();
    }

    [Fact]
    public async Task Serves_plain_gets_on_its_loop_and_hands_the_rest_to_kestrel_counting_why()
    {
        // A plain GET, served on the loop: the whole request reaches the origin, the answer the client.
        var plain = await RawHttp.SendAsync(_alb.HttpPort, "GET /a?b=c HTTP/1.1\r\nHost: app.example.com\r\nX-Probe: 1\r\nConnection: close\r\n\r\n");
        Assert.Equal(200, RawHttp.Status(plain));
        Assert.Contains("\"target\":\"/a?b=c\"", plain, StringComparison.Ordinal);
        Assert.Contains("\"x-probe\":\"1\"", plain, StringComparison.Ordinal);
        Assert.Contains("Connection: close", plain, StringComparison.Ordinal);

        // The general path answers what the front end's parser does not take, as it would without the front end.
        var absolute = await RawHttp.SendAsync(_alb.HttpPort, "GET http://app.example.com/x HTTP/1.1\r\nHost: app.example.com\r\nConnection: close\r\n\r\n");
        Assert.Equal(200, RawHttp.Status(absolute));
        var fragment = await RawHttp.SendAsync(_alb.HttpPort, "GET /x#f HTTP/1.1\r\nHost: app.example.com\r\nConnection: close\r\n\r\n");
        Assert.Equal(400, RawHttp.Status(fragment));
        var before = _origin.Requests;
        var smuggled = await RawHttp.SendAsync(_alb.HttpPort, "POST / HTTP/1.1\r\nHost: app.example.com\r\nContent-Length: 0\r\nContent-Length: 44\r\n\r\nGET /admin HTTP/1.1\r\nHost: app.example.com\r\n\r\n");
        Assert.Equal([400], RawHttp.Statuses(smuggled));
        Assert.Equal(before, _origin.Requests);

        // A head split over two writes: the loop waits for the rest and serves it.
        using (var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp))
        {
            await socket.ConnectAsync(IPAddress.Loopback, _alb.HttpPort);
            await socket.SendAsync("GET /split HTTP/1.1\r\nHo"u8.ToArray());
            await Task.Delay(200);
            await socket.SendAsync("st: app.example.com\r\nConnection: close\r\n\r\n"u8.ToArray());
            Assert.Equal(200, RawHttp.Status(await RawHttp.ReadAsync(socket, TimeSpan.FromSeconds(5))));
        }

        // A route with a step before the forward goes to the general path.
        var general = await RawHttp.SendAsync(_alb.HttpPort, "GET /g HTTP/1.1\r\nHost: general.example.com\r\nConnection: close\r\n\r\n");
        Assert.Equal(200, RawHttp.Status(general));

        var metrics = await _alb.MetricsAsync();
        Assert.Contains("alb_upstream_forward_total{path=\"loop\"} 2", metrics, StringComparison.Ordinal);
        Assert.Contains("alb_fast_handover_total{reason=\"route\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("alb_fast_handover_total{reason=\"UnsupportedTarget\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("alb_fast_handover_total{reason=\"BadTarget\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("alb_fast_handover_total{reason=\"DuplicateContentLength\"} 1", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("reason=\"Incomplete\"", metrics, StringComparison.Ordinal);
        Assert.Contains("nginx_ingress_controller_requests{host=\"app.example.com\",ingress=\"app\",method=\"GET\",namespace=\"default\",path=\"/\",service=\"o\",status=\"200\",canary=\"\"} 3", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_origin_gets_the_same_fields_from_the_loop_as_from_the_general_path()
    {
        const string fields = "User-Agent: probe/1\r\nAccept: */*\r\nX-Forwarded-For: 203.0.113.9\r\nX-Forwarded-For: 198.51.100.1\r\nX-Request-ID: abc123\r\n"
            + "Connection: close\r\nKeep-Alive: 5\r\nProxy: evil\r\nssl-client-verify: SUCCESS\r\nX-Real-IP: 6.6.6.6\r\nX-Custom: a b\r\n";
        var loop = Echoed(await RawHttp.SendAsync(_alb.HttpPort, $"GET /same?q=1 HTTP/1.1\r\nHost: app.example.com\r\n{fields}\r\n"));
        var general = Echoed(await RawHttp.SendAsync(_alb.HttpPort, $"GET /same?q=1 HTTP/1.1\r\nHost: general.example.com\r\n{fields}\r\n"));
        general["host"] = general["host"].Replace("general.", "app.", StringComparison.Ordinal);
        general["x-forwarded-host"] = general["x-forwarded-host"].Replace("general.", "app.", StringComparison.Ordinal);
        Assert.Equal(general.OrderBy(f => f.Key), loop.OrderBy(f => f.Key));
        Assert.Equal("abc123", loop["x-request-id"]);
        Assert.Equal("127.0.0.1", loop["x-real-ip"]);
        Assert.Equal("203.0.113.9,198.51.100.1", loop["x-original-forwarded-for"]);
        Assert.False(loop.ContainsKey("ssl-client-verify"));

        static Dictionary<string, string> Echoed(string answer)
        {
            Assert.Equal(200, RawHttp.Status(answer));
            var json = System.Text.Json.JsonDocument.Parse(answer[answer.IndexOf('{', StringComparison.Ordinal)..(answer.LastIndexOf('}') + 1)]);
            return json.RootElement.GetProperty("headers").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        }
    }

    [Fact]
    public async Task A_keep_alive_connection_goes_on_through_kestrel_after_a_hand_over_counting_its_requests()
    {
        // keep-alive-requests 4: two GETs on the loop, a chunked POST handed over, a GET by Kestrel, which says close on the 4th.
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, _alb.HttpPort);
        string[] requests =
        [
            "GET /k1 HTTP/1.1\r\nHost: app.example.com\r\n\r\n",
            "GET /k2 HTTP/1.1\r\nHost: app.example.com\r\n\r\n",
            "POST /k3 HTTP/1.1\r\nHost: app.example.com\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            "GET /k4 HTTP/1.1\r\nHost: app.example.com\r\n\r\n",
        ];
        var answers = new List<string>();
        foreach (var request in requests)
        {
            await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes(request));
            var answer = "";
            var until = DateTime.UtcNow.AddSeconds(10);
            while (!answer.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal) && DateTime.UtcNow < until)
            {
                answer += await RawHttp.ReadAsync(socket, TimeSpan.FromMilliseconds(200)); // the origin's answers are chunked: read to their end
            }

            answers.Add(answer);
        }

        Assert.All(answers, a => Assert.Equal(200, RawHttp.Status(a)));
        Assert.Contains("\"target\":\"/k3\"", answers[2], StringComparison.Ordinal);
        Assert.DoesNotContain("Connection: close", answers[2], StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Connection: close", answers[3], StringComparison.OrdinalIgnoreCase);
        var metrics = await _alb.MetricsAsync();
        Assert.Contains("alb_fast_handover_total{reason=\"body\"} 1", metrics, StringComparison.Ordinal); // one connection
    }

    [Theory]
    [InlineData("2")]
    [InlineData("yes")]
    [InlineData(" 1")]
    public void Refuses_a_bad_value_naming_the_variable(string value)
    {
        var error = Assert.Throws<CommandLineException>(() => FastFrontEnd.From(name => name == FastFrontEnd.Variable ? value : null));
        Assert.Equal($"ALB_FAST_H1={value}: must be 0 or 1", error.Message);
        Assert.Equal(Native.Supported, FastFrontEnd.From(_ => null)); // the default: on where it runs
        Assert.False(FastFrontEnd.From(name => name == FastFrontEnd.Variable ? "0" : null));
        Assert.True(FastFrontEnd.From(name => name == FastFrontEnd.Variable ? "1" : null));

        var tls = Assert.Throws<CommandLineException>(() => FastFrontEnd.TlsFrom(name => name == FastFrontEnd.TlsVariable ? value : null));
        Assert.Equal($"ALB_FAST_TLS={value}: must be 0 or 1", tls.Message);
        Assert.True(FastFrontEnd.TlsFrom(_ => null)); // the loops take the HTTPS port too unless told not to
        Assert.False(FastFrontEnd.TlsFrom(name => name == FastFrontEnd.TlsVariable ? "0" : null));
    }
}
