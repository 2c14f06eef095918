using System.Net;
using System.Net.Sockets;
using System.Text;
using Alb.Core.Http1;
using Alb.Fast;
using Alb.Observability;
using Alb.Pipeline;
using Alb.Proxy;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;
using Xunit;

namespace Alb.Tests.Serving;

/// <summary>
/// The front end's listener in-process, with no table published (so its loop serves nothing): what it read comes
/// first on the connection Kestrel gets, and past the loop's connection bound new connections go to Kestrel unread.
/// </summary>
public sealed class FastListenerTests
{
    [Fact]
    public async Task Hands_over_what_it_read_first_and_past_its_bound_hands_over_unread()
    {
        var registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(registry);
        var metrics = new AlbMetrics(factory);
        var publisher = new ConfigPublisher(new RequestMetrics(factory), metrics, TimeProvider.System, new Proxy.ConfigPublisherTests.NoForwarder(), new UpstreamClient(new Core.Routing.GlobalSettings()), new ServePorts(0), NullLogger<ConfigPublisher>.Instance);
        var settings = new LoopSettings(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), RequestLimits.Default);
        await using var listener = new FastListener(new IPEndPoint(IPAddress.Loopback, 0), settings, publisher, new AccessLog("off", metrics.AccessLogDropped), metrics, new Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets.SocketTransportOptions(), new ArrayPoolFactory(), NullLogger.Instance, loops: 1, maxClients: 1);
        var port = ((IPEndPoint)listener.EndPoint).Port;

        using var idle = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await idle.ConnectAsync(IPAddress.Loopback, port); // held by the loop, waiting for its first bytes
        await Task.Delay(200);
        using var second = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await second.ConnectAsync(IPAddress.Loopback, port);

        // The second is past the bound: handed over at once, unread, while the first still waits.
        await using (var unread = await listener.AcceptAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)))
        {
            Assert.NotNull(unread);
            Assert.Equal(((IPEndPoint)second.LocalEndPoint!).Port, ((IPEndPoint)unread.RemoteEndPoint!).Port);
            Assert.Contains("alb_fast_handover_total{reason=\"unread\"} 1", await TextAsync(registry), StringComparison.Ordinal);
        }

        // The first sends its head: handed over with those bytes first, then whatever follows on the socket.
        await idle.SendAsync("GET /a HTTP/1.1\r\nHost: a.example.com\r\n\r\n"u8.ToArray());
        await using var read = await listener.AcceptAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(read);
        await idle.SendAsync("GET /b HTTP/1.1\r\n"u8.ToArray());
        var seen = new StringBuilder();
        while (!seen.ToString().Contains("GET /b", StringComparison.Ordinal))
        {
            var result = await read.Transport.Input.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            seen.Clear().Append(Encoding.ASCII.GetString(result.Buffer));
            read.Transport.Input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }

        Assert.Equal("GET /a HTTP/1.1\r\nHost: a.example.com\r\n\r\nGET /b HTTP/1.1\r\n", seen.ToString());
        Assert.Contains("alb_fast_handover_total{reason=\"not_served_here\"} 1", await TextAsync(registry), StringComparison.Ordinal);

        // Unbound: Kestrel's accept loop gets null and ends.
        await listener.UnbindAsync();
        Assert.Null(await listener.AcceptAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private static async Task<string> TextAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private sealed class ArrayPoolFactory : Microsoft.AspNetCore.Connections.IMemoryPoolFactory<byte>
    {
        public System.Buffers.MemoryPool<byte> Create(Microsoft.AspNetCore.Connections.MemoryPoolOptions? options = null) => System.Buffers.MemoryPool<byte>.Shared;
    }
}
