using System.Net;
using System.Net.Sockets;
using System.Text;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;

namespace Alb.Tests.Serving;

/// <summary>Bounds on what a client can send: each bad request gets a clear HTTP answer and nothing else breaks.</summary>
public sealed class LimitsTests : IAsyncLifetime
{
    private TestOrigin _origin = null!;
    private AlbInstance _alb = null!;

    public async Task InitializeAsync()
    {
        _origin = await TestOrigin.StartAsync("o");
        var dir = new ManifestDir();
        dir.Write("all.yaml", ManifestDir.Backend("o", [_origin.Port]) + ManifestDir.Ingress("o", "limits.example.com", "/", "o") + """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: alb, namespace: ingress}
            data:
              client-header-timeout: "2"
              client-body-timeout: "2"
              keep-alive-requests: "3"
              upstream-keepalive-requests: "4"
              proxy-body-size: 64k
            """);
        _alb = await AlbInstance.StartAsync(dir, "--configmap", "ingress/alb");
    }

    public async Task DisposeAsync()
    {
        await _alb.DisposeAsync();
        await _origin.DisposeAsync();
    }

    private Task<string> SendAsync(string request) => RawHttp.SendAsync(_alb.HttpPort, request);

    [Fact]
    public async Task Retires_an_upstream_connection_after_upstream_keepalive_requests()
    {
        var before = _origin.Connections;
        for (var i = 0; i < 12; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = "limits.example.com" } };
            using var response = await _alb.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(4, _origin.MostRequestsOnOneConnection); // reused up to the limit, never past it
        Assert.True(_origin.Connections - before >= 3, $"{_origin.Connections - before} new upstream connections for 12 requests");
    }

    [Fact]
    public async Task Rejects_oversized_headers_with_431()
    {
        var big = new string('a', 40 * 1024);
        Assert.Equal(431, RawHttp.Status(await SendAsync($"GET / HTTP/1.1\r\nHost: limits.example.com\r\nX-Big: {big}\r\n\r\n")));
    }

    [Fact]
    public async Task Rejects_too_many_headers_with_431()
    {
        var headers = string.Concat(Enumerable.Range(0, 150).Select(i => $"X-H{i}: v\r\n"));
        Assert.Equal(431, RawHttp.Status(await SendAsync($"GET / HTTP/1.1\r\nHost: limits.example.com\r\n{headers}\r\n")));
    }

    [Fact]
    public async Task Rejects_a_long_request_line_with_414()
    {
        var path = "/" + new string('p', 9 * 1024);
        Assert.Equal(414, RawHttp.Status(await SendAsync($"GET {path} HTTP/1.1\r\nHost: limits.example.com\r\n\r\n")));
    }

    [Fact]
    public async Task Rejects_an_absurd_or_oversized_body_with_413_before_forwarding()
    {
        var before = _origin.Requests;
        Assert.Equal(413, RawHttp.Status(await SendAsync("POST /body HTTP/1.1\r\nHost: limits.example.com\r\nContent-Length: 99999999999999\r\n\r\n")));
        Assert.Equal(413, RawHttp.Status(await SendAsync("POST /body HTTP/1.1\r\nHost: limits.example.com\r\nContent-Length: 70000\r\n\r\n")));
        Assert.Equal(before, _origin.Requests);
        Assert.Equal(400, RawHttp.Status(await SendAsync("POST /body HTTP/1.1\r\nHost: limits.example.com\r\nContent-Length: 12abc\r\n\r\n")));

        var small = new string('b', 1000);
        var ok = await SendAsync($"POST /body HTTP/1.1\r\nHost: limits.example.com\r\nContent-Length: {small.Length}\r\nConnection: close\r\n\r\n{small}");
        Assert.Equal(200, RawHttp.Status(ok));
        Assert.Contains("\"bytes\":1000", ok, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cuts_a_chunked_body_that_grows_past_the_limit()
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{_alb.HttpPort}/body")
        {
            Headers = { Host = "limits.example.com", TransferEncodingChunked = true },
            Content = new StreamContent(new MemoryStream(new byte[200 * 1024])),
        };
        request.Headers.TransferEncodingChunked = true;
        HttpStatusCode status;
        try
        {
            using var response = await client.SendAsync(request);
            status = response.StatusCode;
        }
        catch (HttpRequestException)
        {
            status = HttpStatusCode.RequestEntityTooLarge; // the connection was closed mid-body: also a refusal
        }

        Assert.True(status is HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.BadRequest or HttpStatusCode.BadGateway, $"got {status}");
        Assert.NotEqual(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task Closes_slowloris_connections_after_the_header_timeout()
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, _alb.HttpPort);
        var started = DateTime.UtcNow;
        await socket.SendAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: limits.example.com\r\n"));
        var closed = false;
        var answer = "";
        for (var i = 0; i < 20 && !closed; i++)
        {
            await Task.Delay(500);
            try
            {
                await socket.SendAsync(Encoding.ASCII.GetBytes($"X-Slow-{i}: 1\r\n")); // one header line every 500 ms
                if (socket.Poll(0, SelectMode.SelectRead))
                {
                    answer = await RawHttp.ReadAsync(socket, TimeSpan.FromSeconds(1));
                    closed = true;
                }
            }
            catch (SocketException)
            {
                closed = true;
            }
        }

        var elapsed = DateTime.UtcNow - started;
        Assert.True(closed, "the slow client was never cut off");
        Assert.True(answer.Length == 0 || RawHttp.Status(answer) == 408, answer);
        Assert.InRange(elapsed.TotalSeconds, 1.5, 6); // client-header-timeout: 2 from the ConfigMap

        // Well-behaved clients are still served.
        Assert.Equal(200, RawHttp.Status(await SendAsync("GET / HTTP/1.1\r\nHost: limits.example.com\r\nConnection: close\r\n\r\n")));
    }

    [Fact]
    public async Task Cuts_off_a_body_that_stops_arriving_and_never_forwards_it()
    {
        var before = _origin.Requests;
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, _alb.HttpPort);
        await socket.SendAsync(Encoding.ASCII.GetBytes("POST /body HTTP/1.1\r\nHost: limits.example.com\r\nContent-Length: 100\r\n\r\n0123456789"));
        var started = DateTime.UtcNow;
        var answer = await RawHttp.ReadAsync(socket, TimeSpan.FromSeconds(8)); // returns when alb answers or closes
        var elapsed = DateTime.UtcNow - started;

        Assert.True(answer.Length == 0 || RawHttp.Status(answer) == 408, answer);
        Assert.InRange(elapsed.TotalSeconds, 1.5, 7.5); // client-body-timeout: 2 from the ConfigMap, not the 8 s the client waits
        Assert.Equal(before, _origin.Requests); // request buffering: the stalled upload never reached the backend
    }

    [Fact]
    public async Task Closes_a_connection_after_keep_alive_requests()
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, _alb.HttpPort);
        var one = "GET / HTTP/1.1\r\nHost: limits.example.com\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(one + one + one + one));
        var started = DateTime.UtcNow;
        var answers = await RawHttp.ReadAsync(socket, TimeSpan.FromSeconds(10)); // returns when alb closes

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(9), "alb did not close the connection");
        Assert.Equal(3, answers.Split("HTTP/1.1 200", StringSplitOptions.None).Length - 1); // the 4th request is never answered
        Assert.Contains("Connection: close", answers, StringComparison.Ordinal);
    }
}
