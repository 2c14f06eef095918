using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Alb.Observability;
using Alb.Proxy;
using Microsoft.AspNetCore.Connections;

namespace Alb.Fast;

/// <summary>
/// The plain HTTP listener of alb's own HTTP/1.1 front end (<c>ALB_FAST_H1=1</c>, issue 15; docs/performance.md,
/// "alb's own HTTP/1.1 server: the plan"). One <see cref="FrontEndLoop"/> per core accepts from the one listening
/// socket, serves what it can, and hands the other connections to Kestrel with the bytes already read
/// (<see cref="HandedOverConnection"/>), counted in <c>alb_fast_handover_total</c>. Kestrel takes those from
/// <see cref="AcceptAsync"/>, so its connection middleware, limits and protocols apply as on its own transport.
/// </summary>
internal sealed class FastListener : IConnectionListener
{
    private readonly Socket _socket;
    private readonly Channel<ConnectionContext> _ready = Channel.CreateUnbounded<ConnectionContext>(new UnboundedChannelOptions { SingleReader = true });
    private readonly FrontEndLoop[] _loops;
    private readonly MemoryPool<byte> _pool;
    private readonly TimeSpan _shutdownTimeout;
    private int _unbound;

    public FastListener(IPEndPoint endPoint, LoopSettings settings, ConfigPublisher publisher, AccessLog accessLog, AlbMetrics metrics, MemoryPool<byte> pool, ILogger logger, int loops = 0, int maxClients = 100_000)
    {
        _pool = pool;
        _shutdownTimeout = settings.ShutdownTimeout;
        _socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (endPoint.Address.Equals(IPAddress.IPv6Any))
        {
            _socket.DualMode = true;
        }

        try
        {
            _socket.Bind(endPoint);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            _socket.Dispose();
            throw new AddressInUseException(e.Message, e); // what Kestrel's transport throws: alb reports it in one line
        }

        _socket.Listen(4096);
        _socket.Blocking = false;
        var port = ((IPEndPoint)_socket.LocalEndPoint!).Port;
        var fd = (int)_socket.Handle;
        _loops = new FrontEndLoop[loops > 0 ? loops : Environment.ProcessorCount];
        for (var i = 0; i < _loops.Length; i++)
        {
            _loops[i] = new FrontEndLoop(i, fd, settings, publisher, accessLog, metrics, pool, logger, HandOver) { LocalPort = port, MaxClients = Math.Max(1, maxClients / _loops.Length) };
        }

        foreach (var loop in _loops)
        {
            loop.Start();
        }
    }

    public EndPoint EndPoint => _socket.LocalEndPoint!;

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _ready.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return null; // unbound: Kestrel's accept loop ends
        }
    }

    /// <summary>Stops accepting: the loops leave the socket, close their idle connections and finish those in flight.</summary>
    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _unbound, 1) == 0)
        {
            foreach (var loop in _loops)
            {
                loop.Stop();
            }

            _ready.Writer.TryComplete();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Waits (up to the shutdown timeout) for the loops' requests in flight to be answered, then ends the loops.</summary>
    public async ValueTask DisposeAsync()
    {
        await UnbindAsync().ConfigureAwait(false);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!_loops.All(l => l.Drained) && waited.Elapsed < _shutdownTimeout)
        {
            await Task.Delay(20).ConfigureAwait(false);
        }

        await Task.Run(() =>
        {
            foreach (var loop in _loops)
            {
                loop.Join();
            }
        }).ConfigureAwait(false);
        _socket.Dispose();
        while (_ready.Reader.TryRead(out var waiting))
        {
            await waiting.DisposeAsync().ConfigureAwait(false);
        }

        _pool.Dispose();
    }

    private void HandOver(HandedOverConnection connection)
    {
        if (!_ready.Writer.TryWrite(connection))
        {
            connection.DisposeAsync().AsTask().Wait(); // unbound: Kestrel takes no more (closing a socket does not block)
        }
    }
}

/// <summary>Binds <see cref="FastListener"/> for the one endpoint it serves (alb's plain HTTP listener); Kestrel's own transport takes the others.</summary>
internal sealed class FastListenerFactory(IPEndPoint http, LoopSettings settings, AlbMetrics metrics, IServiceProvider services) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    public bool CanBind(EndPoint endpoint) => endpoint is IPEndPoint ip && ip.Equals(http);

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IConnectionListener>(new FastListener(
            (IPEndPoint)endpoint,
            settings,
            services.GetRequiredService<ConfigPublisher>(),
            services.GetRequiredService<AccessLog>(),
            metrics,
            services.GetRequiredService<IMemoryPoolFactory<byte>>().Create(new MemoryPoolOptions { Owner = "alb-fast" }),
            services.GetRequiredService<ILoggerFactory>().CreateLogger("Alb.Fast")));
}
