using System.Net;
using System.Net.Sockets;
using System.Text;
using Edge.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;
using VipDaemon.Admin;
using VipDaemon.Core.Protocol;
using VipDaemon.Daemon;
using Xunit;

namespace VipDaemon.Tests.Admin;

/// <summary>The admin endpoint in-process, against requests a well-behaved client does not send.</summary>
public sealed class AdminServerTests : IAsyncLifetime
{
    private static readonly AdminLimits Limits = new(MaxHeadBytes: 1024, Timeout: TimeSpan.FromMilliseconds(500), MaxConnections: 4);
    private AdminServer _server = null!;
    private bool _ready;

    private int Port => _server.LocalEndPoint.Port;

    public Task InitializeAsync()
    {
        var registry = Metrics.NewCustomRegistry();
        Metrics.WithCustomRegistry(registry).CreateGauge("vipd_state", "Instance state", ["instance"]).WithLabels("VI_1").Set(2);
        var endpoints = new AdminEndpoints(registry, () => _ready, () => [new InstanceStatus("VI_1", VrrpRole.Master, 150, "192.0.2.11", null)]);
        // A long timeout here: on a loaded machine a client can be slower than 500 ms between connect and send. The tests
        // of the timeout itself start their own server with Limits.Timeout.
        _server = AdminServer.Start(new IPEndPoint(IPAddress.Loopback, 0), endpoints, Limits with { Timeout = TimeSpan.FromSeconds(30) }, TimeProvider.System,
            NullLogger.Instance);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>The response, or "" when the server closed (or reset) the connection without one.</summary>
    private Task<string> SendAsync(string request) => SendToAsync(Port, request);

    private static async Task<string> SendToAsync(int port, string request)
    {
        try
        {
            return await RawHttp.SendAsync(port, request, TimeSpan.FromSeconds(5));
        }
        catch (SocketException)
        {
            return "";
        }
    }

    /// <summary>A server with <see cref="Limits"/>' 500 ms timeout.</summary>
    private static AdminServer StartImpatient() =>
        AdminServer.Start(new IPEndPoint(IPAddress.Loopback, 0), new AdminEndpoints(Metrics.NewCustomRegistry(), () => true, () => []), Limits,
            TimeProvider.System, NullLogger.Instance);

    private static string Body(string response) => response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];

    [Fact]
    public async Task Answers_healthz_readyz_status_and_metrics()
    {
        var health = await SendAsync("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, RawHttp.Status(health));
        Assert.Contains("Content-Type: text/plain; charset=utf-8\r\n", health, StringComparison.Ordinal);
        Assert.Contains("Connection: close\r\n", health, StringComparison.Ordinal);
        Assert.Equal("ok\n", Body(health));

        var notReady = await SendAsync("GET /readyz HTTP/1.1\r\n\r\n");
        Assert.Equal((503, "not ready\n"), (RawHttp.Status(notReady), Body(notReady)));
        _ready = true;
        Assert.Equal("ok\n", Body(await SendAsync("GET /readyz HTTP/1.1\r\n\r\n")));

        var status = await SendAsync("GET /status HTTP/1.1\r\n\r\n");
        Assert.Equal("""[{"name":"VI_1","state":"Master","priority":150,"master":"192.0.2.11","lastAdvert":null}]""", Body(status));

        var metrics = await SendAsync("GET /metrics HTTP/1.1\r\n\r\n");
        Assert.Contains("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n", metrics, StringComparison.Ordinal);
        Assert.Contains("vipd_state{instance=\"VI_1\"} 2\n", Body(metrics), StringComparison.Ordinal);
        Assert.Contains($"Content-Length: {Encoding.UTF8.GetByteCount(Body(metrics))}\r\n", metrics, StringComparison.Ordinal);

        var openMetrics = await SendAsync("GET /metrics HTTP/1.1\r\nAccept: application/openmetrics-text; version=1.0.0\r\n\r\n");
        Assert.Contains("Content-Type: application/openmetrics-text; version=1.0.0; charset=utf-8\r\n", openMetrics, StringComparison.Ordinal);
        Assert.EndsWith("# EOF\n", Body(openMetrics), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Head_gets_the_headers_without_the_body()
    {
        var response = await SendAsync("HEAD /healthz HTTP/1.1\r\n\r\n");
        Assert.Equal(200, RawHttp.Status(response));
        Assert.Contains("Content-Length: 3\r\n", response, StringComparison.Ordinal);
        Assert.Equal("", Body(response));
    }

    [Fact]
    public async Task Rejects_an_unknown_path_with_404()
    {
        var response = await SendAsync("GET /metrics/extra HTTP/1.1\r\n\r\n");
        Assert.Equal((404, "not found: /healthz, /readyz and /metrics are served here\n"), (RawHttp.Status(response), Body(response)));
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("OPTIONS")]
    public async Task Rejects_other_methods_with_405_and_allow(string method)
    {
        var response = await SendAsync($"{method} /healthz HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
        Assert.Equal(405, RawHttp.Status(response));
        Assert.Contains("Allow: GET, HEAD\r\n", response, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET /healthz\r\n\r\n")]
    [InlineData("GET http://x/healthz HTTP/1.1\r\n\r\n")]
    [InlineData("GET /healthz HTTP/9.9\r\n\r\n")]
    [InlineData("\u0016\u0003\u0001\u0002\u0000\r\n\r\n")] // a TLS client hello, cut short
    [InlineData("GET /healthz HTTP/1.1\r\nBad Header: x\r\n\r\n")]
    public async Task Rejects_a_malformed_request_with_400(string request) =>
        Assert.Equal(400, RawHttp.Status(await SendAsync(request)));

    [Fact]
    public async Task Rejects_an_oversized_head_with_431()
    {
        var response = await SendAsync("GET /healthz HTTP/1.1\r\nX-Big: " + new string('a', 2000) + "\r\n\r\n");
        Assert.Equal(431, RawHttp.Status(response));
    }

    [Fact]
    public async Task Answers_a_head_that_arrives_in_pieces()
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, Port);
        foreach (var piece in new[] { "GET /hea", "lthz HTTP/1.1\r", "\nHost: x\r\n\r", "\n" })
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes(piece));
            await Task.Delay(20);
        }

        Assert.Equal(200, RawHttp.Status(await RawHttp.ReadAsync(socket, TimeSpan.FromSeconds(5))));
    }

    [Fact]
    public async Task Times_out_a_slow_client_with_408_and_closes()
    {
        await using var server = StartImpatient();
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        var started = DateTime.UtcNow; // the deadline runs from the accept, which is not before this
        await socket.ConnectAsync(IPAddress.Loopback, server.LocalEndPoint.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes("GET /healthz HTTP/1.1\r\n"));
        var response = await RawHttp.ReadAsync(socket, TimeSpan.FromSeconds(5)); // ends when the server closes
        Assert.Equal(408, RawHttp.Status(response));
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task Closes_connections_beyond_the_limit_and_serves_again_when_they_are_gone()
    {
        var idle = new List<Socket>();
        try
        {
            for (var i = 0; i < Limits.MaxConnections; i++)
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, Port);
                idle.Add(socket);
            }

            await Task.Delay(100); // all accepted
            var refused = await SendAsync("GET /healthz HTTP/1.1\r\n\r\n");
            Assert.Equal("", refused); // closed unanswered
        }
        finally
        {
            idle.ForEach(s => s.Dispose());
        }

        await Task.Delay(100);
        Assert.Equal(200, RawHttp.Status(await SendAsync("GET /healthz HTTP/1.1\r\n\r\n")));
    }

    [Fact]
    public async Task Many_clients_at_once_are_all_answered_or_closed_and_none_is_held()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => SendAsync("GET /healthz HTTP/1.1\r\n\r\n")));
        Assert.All(responses, r => Assert.True(r == "" || RawHttp.Status(r) == 200, r));
        Assert.Contains(responses, r => RawHttp.Status(r) == 200);

        // Idle clients that never send are closed after the timeout; then the endpoint answers again: not before the
        // timeout, and within a bound that a loaded machine's late timers still meet.
        await using var server = StartImpatient();
        var idle = new List<Socket>();
        var started = DateTime.UtcNow;
        for (var i = 0; i < 3 * Limits.MaxConnections; i++)
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, server.LocalEndPoint.Port);
            idle.Add(socket);
        }

        var answer = "";
        while (RawHttp.Status(answer) != 200 && DateTime.UtcNow - started < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(100);
            answer = await SendToAsync(server.LocalEndPoint.Port, "GET /healthz HTTP/1.1\r\n\r\n");
        }

        Assert.Equal(200, RawHttp.Status(answer));
        Assert.True(DateTime.UtcNow - started >= Limits.Timeout * 0.9, $"answered after {DateTime.UtcNow - started} with {idle.Count} idle clients open");
        idle.ForEach(s => s.Dispose());
    }

    [Fact]
    public void Refuses_an_address_in_use()
    {
        Assert.Throws<SocketException>(() => AdminServer.Start(_server.LocalEndPoint, new AdminEndpoints(Metrics.NewCustomRegistry(), () => true, () => []),
            Limits, TimeProvider.System, NullLogger.Instance));
    }
}
