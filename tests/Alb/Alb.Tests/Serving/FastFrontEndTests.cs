using System.Net;
using Alb.Cli;
using Alb.Fast;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;

namespace Alb.Tests.Serving;

/// <summary>
/// ALB_FAST_H1=1: alb's own front end takes the plain HTTP listener, reads each connection's first request head and
/// (until it serves requests itself) hands the connection to Kestrel with those bytes; the counter says why. The whole
/// of Alb.Tests also runs with it on its plain-HTTP security, limits and reload classes (scripts/test.sh).
/// </summary>
public sealed class FastFrontEndTests : IAsyncLifetime
{
    private TestOrigin _origin = null!;
    private AlbInstance _alb = null!;

    public async Task InitializeAsync()
    {
        _origin = await TestOrigin.StartAsync("o");
        var dir = new ManifestDir();
        dir.Write("all.yaml", ManifestDir.Backend("o", [_origin.Port]) + ManifestDir.Ingress("app", "app.example.com", "/", "o"));
        _alb = await AlbInstance.StartAsync(dir, new Dictionary<string, string> { [FastFrontEnd.Variable] = "1" });
    }

    public async Task DisposeAsync()
    {
        await _alb.DisposeAsync();
        await _origin.DisposeAsync();
    }

    [Fact]
    public async Task Hands_each_connection_to_kestrel_with_what_it_read_and_counts_why()
    {
        // A plain head, served through the hand-over: the whole request reaches the origin, the answer the client.
        var plain = await RawHttp.SendAsync(_alb.HttpPort, "GET /a?b=c HTTP/1.1\r\nHost: app.example.com\r\nX-Probe: 1\r\nConnection: close\r\n\r\n");
        Assert.Equal(200, RawHttp.Status(plain));
        Assert.Contains("\"target\":\"/a?b=c\"", plain, StringComparison.Ordinal);
        Assert.Contains("\"x-probe\":\"1\"", plain, StringComparison.Ordinal);

        // The general path answers what the front end's parser does not take, as it would without the front end.
        var absolute = await RawHttp.SendAsync(_alb.HttpPort, "GET http://app.example.com/x HTTP/1.1\r\nHost: app.example.com\r\nConnection: close\r\n\r\n");
        Assert.Equal(200, RawHttp.Status(absolute));
        var fragment = await RawHttp.SendAsync(_alb.HttpPort, "GET /x#f HTTP/1.1\r\nHost: app.example.com\r\nConnection: close\r\n\r\n");
        Assert.Equal(400, RawHttp.Status(fragment));
        var before = _origin.Requests;
        var smuggled = await RawHttp.SendAsync(_alb.HttpPort, "POST / HTTP/1.1\r\nHost: app.example.com\r\nContent-Length: 0\r\nContent-Length: 44\r\n\r\nGET /admin HTTP/1.1\r\nHost: app.example.com\r\n\r\n");
        Assert.Equal([400], RawHttp.Statuses(smuggled));
        Assert.Equal(before, _origin.Requests);

        // A head split over two writes: the front end hands over what it has, Kestrel reads the rest.
        using (var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp))
        {
            await socket.ConnectAsync(IPAddress.Loopback, _alb.HttpPort);
            await socket.SendAsync("GET /split HTTP/1.1\r\nHo"u8.ToArray());
            await Task.Delay(200);
            await socket.SendAsync("st: app.example.com\r\nConnection: close\r\n\r\n"u8.ToArray());
            Assert.Equal(200, RawHttp.Status(await RawHttp.ReadAsync(socket, TimeSpan.FromSeconds(5))));
        }

        var metrics = await _alb.MetricsAsync();
        Assert.Contains("alb_fast_handover_total{reason=\"not_served_here_yet\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("alb_fast_handover_total{reason=\"UnsupportedTarget\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("alb_fast_handover_total{reason=\"BadTarget\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("alb_fast_handover_total{reason=\"DuplicateContentLength\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("alb_fast_handover_total{reason=\"Incomplete\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("alb_active_connections{listener=\"http\"}", metrics, StringComparison.Ordinal); // Kestrel's connection middleware ran
    }

    [Fact]
    public async Task A_keep_alive_connection_serves_every_request_after_the_hand_over()
    {
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = new Uri($"http://127.0.0.1:{_alb.HttpPort}") };
        for (var i = 0; i < 20; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/r{i}") { Headers = { Host = "app.example.com" }, Content = new StringContent(new string('x', i * 1000)) };
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains($"\"target\":\"/r{i}\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var metrics = await _alb.MetricsAsync();
        Assert.Contains("alb_fast_handover_total{reason=\"not_served_here_yet\"} 1", metrics, StringComparison.Ordinal); // one connection
    }

    [Theory]
    [InlineData("2")]
    [InlineData("yes")]
    [InlineData(" 1")]
    public void Refuses_a_bad_value_naming_the_variable(string value)
    {
        var error = Assert.Throws<CommandLineException>(() => FastFrontEnd.From(name => name == FastFrontEnd.Variable ? value : null));
        Assert.Equal($"ALB_FAST_H1={value}: must be 0 or 1", error.Message);
        Assert.False(FastFrontEnd.From(_ => null));
        Assert.True(FastFrontEnd.From(name => name == FastFrontEnd.Variable ? "1" : null));
    }
}
