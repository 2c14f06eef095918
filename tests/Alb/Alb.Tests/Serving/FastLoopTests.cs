using System.Net;
using System.Net.Sockets;
using System.Text;
using Alb.Fast;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;

namespace Alb.Tests.Serving;

/// <summary>
/// What the front end's loop (the default; ALB_FAST_H1=1 here to say so) does itself on a plain route: timeouts and retries as the general path,
/// pipelined requests in order, a slow reader given every byte (the backend paused, not buffered without end).
/// </summary>
public sealed class FastLoopTests : IAsyncLifetime
{
    private TestOrigin _origin = null!;
    private AlbInstance _alb = null!;
    private int _dead;
    private ManifestDir _dir = null!;

    public async Task InitializeAsync()
    {
        _origin = await TestOrigin.StartAsync("o");
        _dead = FreePort.Next(); // nothing listens there: connect is refused
        var dir = _dir = new ManifestDir();
        dir.Write("all.yaml",
            ManifestDir.Backend("o", [_origin.Port]) + ManifestDir.Backend("half", [_dead, _origin.Port]) + ManifestDir.Backend("dead", [_dead])
            + ManifestDir.Ingress("app", "app.example.com", "/", "o")
            + ManifestDir.Ingress("half", "half.example.com", "/", "half")
            + ManifestDir.Ingress("dead", "dead.example.com", "/", "dead")
            + ManifestDir.Ingress("slow", "slow.example.com", "/", "o", annotations: new Dictionary<string, string>
            {
                // the longer of the two bounds the backend's silence (docs/alb-annotations.md), on both paths
                ["nginx.ingress.kubernetes.io/proxy-read-timeout"] = "1",
                ["nginx.ingress.kubernetes.io/proxy-send-timeout"] = "1",
            }));
        _alb = await AlbInstance.StartAsync(dir, new Dictionary<string, string> { [FastFrontEnd.Variable] = "1" });
    }

    public async Task DisposeAsync()
    {
        await _alb.DisposeAsync();
        await _origin.DisposeAsync();
    }

    [Fact]
    public async Task Answers_504_past_the_read_timeout_and_the_connection_serves_on()
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, _alb.HttpPort);
        var started = System.Diagnostics.Stopwatch.StartNew();
        await socket.SendAsync("GET /slow?ms=5000 HTTP/1.1\r\nHost: slow.example.com\r\n\r\n"u8.ToArray());
        var timedOut = await ReadHeadAsync(socket).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.InRange(started.Elapsed.TotalSeconds, 0.9, 3.5); // 1 s (one endpoint: no second try)
        Assert.Equal(504, RawHttp.Status(timedOut));
        Assert.Contains("Content-Length: 0", timedOut, StringComparison.Ordinal);

        await socket.SendAsync("GET /after HTTP/1.1\r\nHost: slow.example.com\r\n\r\n"u8.ToArray());
        var after = await RawHttp.ReadAsync(socket, TimeSpan.FromMilliseconds(500));
        Assert.Equal(200, RawHttp.Status(after));
        Assert.Contains("\"target\":\"/after\"", after, StringComparison.Ordinal);
        var metrics = await _alb.MetricsAsync();
        Assert.Contains("alb_upstream_failures_total{kind=\"timeout\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("alb_upstream_forward_total{path=\"loop\"} 2", metrics, StringComparison.Ordinal); // both served on the loop
    }

    [Fact]
    public async Task Tries_the_next_endpoint_when_a_connect_is_refused_and_answers_502_when_none_is_left()
    {
        for (var i = 0; i < 6; i++)
        {
            var answer = await RawHttp.SendAsync(_alb.HttpPort, $"GET /h{i} HTTP/1.1\r\nHost: half.example.com\r\nConnection: close\r\n\r\n");
            Assert.Equal(200, RawHttp.Status(answer)); // proxy_next_upstream error: the refused endpoint is skipped
        }

        var dead = await RawHttp.SendAsync(_alb.HttpPort, "GET /d HTTP/1.1\r\nHost: dead.example.com\r\nConnection: close\r\n\r\n");
        Assert.Equal(502, RawHttp.Status(dead));
        Assert.Contains("Connection: close", dead, StringComparison.Ordinal);
        var metrics = await _alb.MetricsAsync();
        Assert.Contains("alb_upstream_failures_total{kind=\"connect\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("alb_upstream_forward_total{path=\"loop\"} 7", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answers_pipelined_requests_in_order()
    {
        var answers = await RawHttp.SendAsync(_alb.HttpPort,
            "GET /p1 HTTP/1.1\r\nHost: app.example.com\r\n\r\nHEAD /p2 HTTP/1.1\r\nHost: app.example.com\r\n\r\nGET /p3 HTTP/1.1\r\nHost: app.example.com\r\nConnection: close\r\n\r\n");
        Assert.Equal([200, 200, 200], RawHttp.Statuses(answers));
        var p1 = answers.IndexOf("\"target\":\"/p1\"", StringComparison.Ordinal);
        var p3 = answers.IndexOf("\"target\":\"/p3\"", StringComparison.Ordinal);
        Assert.True(p1 > 0 && p3 > p1, answers);
        Assert.DoesNotContain("/p2", answers, StringComparison.Ordinal); // HEAD: no body
    }

    [Fact]
    public async Task A_client_that_sends_more_behind_a_close_gets_its_answer_whole_and_a_clean_close()
    {
        for (var i = 0; i < 5; i++)
        {
            // The second request arrives while the first is served and waits unread in the socket: closing with it
            // there would reset the connection, and the client would lose the answer.
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, _alb.HttpPort);
            await socket.SendAsync(Encoding.ASCII.GetBytes("GET /slow?ms=300 HTTP/1.1\r\nHost: app.example.com\r\nConnection: close\r\n\r\n"));
            await Task.Delay(100);
            await socket.SendAsync("GET /more HTTP/1.1\r\nHost: app.example.com\r\n\r\n"u8.ToArray());
            await Task.Delay(600); // the answer, and a reset if alb sent one, are in before the first read
            var text = await RawHttp.ReadToCloseAsync(socket, TimeSpan.FromSeconds(10)); // a reset throws
            Assert.Equal([200], RawHttp.Statuses(text));
            Assert.Contains("\"target\":\"/slow?ms=300\"", text, StringComparison.Ordinal);
            Assert.EndsWith("\r\n0\r\n\r\n", text, StringComparison.Ordinal); // the whole chunked body, not cut by a reset
        }
    }

    [Fact]
    public async Task A_slow_reader_gets_every_byte_of_a_large_answer()
    {
        const int size = 8 * 1024 * 1024;
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 16 * 1024 };
        await socket.ConnectAsync(IPAddress.Loopback, _alb.HttpPort);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /big?bytes={size} HTTP/1.1\r\nHost: app.example.com\r\nConnection: close\r\n\r\n"));
        await Task.Delay(1500); // alb's send to this client blocks: it must stop reading the backend, not buffer 8 MiB

        using var stream = new NetworkStream(socket);
        using var all = new MemoryStream();
        await stream.CopyToAsync(all).WaitAsync(TimeSpan.FromSeconds(30));
        var text = Encoding.ASCII.GetString(all.ToArray());
        var bodyStart = text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
        Assert.Contains($"Content-Length: {size}", text[..bodyStart], StringComparison.Ordinal);
        var body = text[bodyStart..];
        Assert.Equal(size, body.Length);
        for (var i = 0; i < body.Length; i += 997)
        {
            Assert.Equal((char)('0' + (i % 10)), body[i]);
        }
    }

    [Theory]
    [InlineData("1")]
    [InlineData("0")]
    public async Task Records_a_request_whose_client_went_away_before_its_answer_as_the_general_path_does(string frontEnd)
    {
        var log = Path.Combine(Path.GetTempPath(), $"alb-gone-{Guid.NewGuid():N}.log");
        try
        {
            await using var alb = await AlbInstance.StartAsync(_dir, new Dictionary<string, string> { [FastFrontEnd.Variable] = frontEnd }, "--access-log", log);
            using (var socket = new Socket(SocketType.Stream, ProtocolType.Tcp))
            {
                await socket.ConnectAsync(IPAddress.Loopback, alb.HttpPort);
                await socket.SendAsync("GET /slow?ms=2000 HTTP/1.1\r\nHost: app.example.com\r\n\r\n"u8.ToArray());
                await Task.Delay(300);
                socket.LingerState = new LingerOption(true, 0);
                socket.Close(); // a reset: the client is gone while alb waits for the backend
            }

            const string Series = "nginx_ingress_controller_requests{host=\"app.example.com\",ingress=\"app\",method=\"GET\",namespace=\"default\",path=\"/\",service=\"o\",status=\"502\",canary=\"\"} 1";
            await alb.WaitUntilAsync(async () => (await alb.MetricsAsync()).Contains(Series, StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the request in the metrics");
            string? line = null;
            await alb.WaitUntilAsync(
                () => Task.FromResult((line = File.Exists(log) ? File.ReadAllLines(log).FirstOrDefault(l => l.Contains("\"path\":\"/slow\"", StringComparison.Ordinal)) : null) is not null),
                TimeSpan.FromSeconds(10), "the access log line");
            Assert.Contains("\"status\":502", line, StringComparison.Ordinal);
            Assert.Contains("\"host\":\"app.example.com\"", line, StringComparison.Ordinal);
            var metrics = await alb.MetricsAsync();
            Assert.Contains($"alb_upstream_forward_total{{path=\"{(frontEnd == "1" ? "loop" : "lean")}\"}} 1", metrics, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(log);
        }
    }

    /// <summary>Reads until the end of an answer's head (the timed-out answer has no body).</summary>
    private static async Task<string> ReadHeadAsync(Socket socket)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        while (!text.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await socket.ReceiveAsync(buffer);
            if (read == 0)
            {
                break;
            }

            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return text.ToString();
    }
}
