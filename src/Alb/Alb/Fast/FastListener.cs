using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Alb.Observability;
using Alb.Proxy;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace Alb.Fast;

/// <summary>
/// A listener of alb's own HTTP/1.1 front end, the plain HTTP or the HTTPS one (on by default on Linux x86-64,
/// <c>ALB_FAST_H1=0</c> off; issue 15; docs/performance.md, "alb's own HTTP/1.1 server: the plan"). One
/// <see cref="FrontEndLoop"/> per core accepts from the one listening socket, serves what it can, and hands the other
/// connections to Kestrel with the bytes already read, on its own socket transport (or, over TLS, decrypted through
/// the loop's SslStream), counted in <c>alb_fast_handover_total</c>. Kestrel takes those from <see cref="AcceptAsync"/>,
/// so its connection middleware, limits and protocols apply as on its own transport.
/// </summary>
internal sealed class FastListener : IConnectionListener
{
    private readonly Socket _socket;
    private readonly ChannelListener _ready;
    private readonly FrontEndLoop[] _loops;
    private readonly SocketConnectionContextFactory _connections;
    private readonly TimeSpan _shutdownTimeout;
    private readonly System.Buffers.MemoryPool<byte>? _pool;
    private readonly ChannelWriter<ConnectionContext>? _kestrelTls;
    private int _unbound;

    /// <param name="transport">Kestrel's socket transport settings (alb's tuning): a handed-over connection runs on that transport.</param>
    /// <param name="kestrelTls">
    /// For the HTTPS listener: where connections go raw to Kestrel's own TLS (a client offering HTTP/2, bytes that are
    /// not TLS); the others get their TLS on the loops and go to Kestrel, when they do, decrypted (<see cref="DecryptedConnection"/>).
    /// </param>
    public FastListener(IPEndPoint endPoint, LoopSettings settings, ConfigPublisher publisher, AccessLog accessLog, AlbMetrics metrics, SocketTransportOptions transport, IMemoryPoolFactory<byte> pools, ILogger logger, int loops = 0, int maxClients = 100_000, ChannelWriter<ConnectionContext>? kestrelTls = null)
    {
        _pool = kestrelTls is null ? null : pools.Create(); // the decrypted connections' pipes
        _kestrelTls = kestrelTls;
        var options = new SocketConnectionFactoryOptions
        {
            IOQueueCount = transport.IOQueueCount,
            WaitForDataBeforeAllocatingBuffer = transport.WaitForDataBeforeAllocatingBuffer,
            MaxReadBufferSize = transport.MaxReadBufferSize,
            MaxWriteBufferSize = transport.MaxWriteBufferSize,
            UnsafePreferInlineScheduling = transport.UnsafePreferInlineScheduling,
        };
        UseKestrelPools(options, pools);
        _connections = new SocketConnectionContextFactory(options, logger);
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
        _ready = new ChannelListener(_socket.LocalEndPoint!);
        _socket.Blocking = false;
        var port = ((IPEndPoint)_socket.LocalEndPoint!).Port;
        var fd = (int)_socket.Handle;
        _loops = new FrontEndLoop[loops > 0 ? loops : Environment.ProcessorCount];
        for (var i = 0; i < _loops.Length; i++)
        {
            _loops[i] = new FrontEndLoop(i, fd, settings, publisher, accessLog, metrics, logger, HandOver, https: kestrelTls is not null) { LocalPort = port, MaxClients = Math.Max(1, maxClients / _loops.Length) };
        }

        foreach (var loop in _loops)
        {
            loop.Start();
        }
    }

    public EndPoint EndPoint => _socket.LocalEndPoint!;

    public ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default) => _ready.AcceptAsync(cancellationToken);

    /// <summary>Stops accepting: the loops leave the socket, close their idle connections and finish those in flight.</summary>
    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _unbound, 1) == 0)
        {
            foreach (var loop in _loops)
            {
                loop.Stop();
            }

            _ready.Complete();
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
        await _ready.DisposeAsync().ConfigureAwait(false);
        _connections.Dispose();
        _pool?.Dispose();
    }

    /// <summary>
    /// The factory's connections must take their buffers from Kestrel's kind of pool (the one its own transport is
    /// given): with the simple pool the public constructor picks, Kestrel's HTTP/1.1 response writer hands out empty
    /// spans and the first body write fails (seen: a 500 on every handed-over request with a body to answer). .NET 10
    /// sets that pool through an internal property only; found by name, and alb stops at start naming it if it is gone.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.DynamicDependency(System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.NonPublicProperties, typeof(SocketConnectionFactoryOptions))]
    private static void UseKestrelPools(SocketConnectionFactoryOptions options, IMemoryPoolFactory<byte> pools)
    {
        var property = typeof(SocketConnectionFactoryOptions).GetProperty("MemoryPoolFactory", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)
            ?? throw new InvalidOperationException("alb's own HTTP/1.1 front end: SocketConnectionFactoryOptions.MemoryPoolFactory is not in this ASP.NET Core; run with ALB_FAST_H1=0");
        property.SetValue(options, pools);
    }

    /// <summary>
    /// Gives Kestrel a connection on its own socket transport (a TLS one decrypted through the loop's SslStream), the
    /// bytes the loop read first (<see cref="PrefixedPipeReader"/>) and the loop's count of its requests
    /// (keep-alive-requests counts on).
    /// </summary>
    private void HandOver(Socket socket, byte[] alreadyRead, int requests, LoopTls? tls)
    {
        ConnectionContext connection;
        if (tls is not null)
        {
            var (local, remote) = (socket.LocalEndPoint, socket.RemoteEndPoint);
            connection = new DecryptedConnection(tls, alreadyRead, tls.Detach(socket), local, remote, _pool!);
        }
        else
        {
            connection = _connections.Create(socket);
            if (alreadyRead.Length > 0)
            {
                var transport = connection.Transport;
                connection.Transport = new DuplexPipe(new PrefixedPipeReader(alreadyRead, transport.Input), transport.Output);
            }
        }

        connection.Items[typeof(ProxyHandler.KeepAliveCount)] = new ProxyHandler.KeepAliveCount { Requests = requests };
        var ready = tls is null && _kestrelTls is not null ? _kestrelTls : _ready.Writer; // raw TLS: Kestrel's TLS endpoint
        if (!ready.TryWrite(connection))
        {
            connection.Abort(); // unbound: Kestrel takes no more
            _ = connection.DisposeAsync().AsTask();
        }
    }

    internal sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}

/// <summary>
/// Binds <see cref="FastListener"/> for the endpoints it serves: alb's plain HTTP listener, and its HTTPS one unless
/// <paramref name="https"/> is null (Kestrel's TLS then), with <see cref="KestrelTlsEndPoint"/>, the endpoint whose
/// connections the HTTPS loops give to Kestrel's TLS raw. Kestrel's own transport takes the others.
/// </summary>
internal sealed class FastListenerFactory(IPEndPoint http, IPEndPoint? https, LoopSettings settings, AlbMetrics metrics, IServiceProvider services) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly Channel<ConnectionContext> _kestrelTls = Channel.CreateUnbounded<ConnectionContext>(new UnboundedChannelOptions { SingleReader = true });

    public bool CanBind(EndPoint endpoint) => endpoint is KestrelTlsEndPoint || (endpoint is IPEndPoint ip && (ip.Equals(http) || ip.Equals(https)));

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        endpoint is KestrelTlsEndPoint ? ValueTask.FromResult<IConnectionListener>(new ChannelListener(endpoint, _kestrelTls)) :
        ValueTask.FromResult<IConnectionListener>(new FastListener(
            (IPEndPoint)endpoint,
            settings,
            services.GetRequiredService<ConfigPublisher>(),
            services.GetRequiredService<AccessLog>(),
            metrics,
            services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SocketTransportOptions>>().Value,
            services.GetRequiredService<IMemoryPoolFactory<byte>>(),
            services.GetRequiredService<ILoggerFactory>().CreateLogger("Alb.Fast"),
            kestrelTls: endpoint.Equals(https) ? _kestrelTls.Writer : null));
}

/// <summary>The endpoint of Kestrel's TLS behind alb's HTTPS loops: its connections come from them, raw (see <see cref="FrontEndLoop"/>).</summary>
internal sealed class KestrelTlsEndPoint(IPEndPoint https) : EndPoint
{
    public IPEndPoint Https { get; } = https;

    public override string ToString() => $"{Https} (Kestrel's TLS, behind alb's loops)";
}

/// <summary>A listener whose connections are put in a queue by whoever accepted them (the loops' hand-overs).</summary>
internal sealed class ChannelListener(EndPoint endPoint, Channel<ConnectionContext> connections) : IConnectionListener
{
    public ChannelListener(EndPoint endPoint)
        : this(endPoint, Channel.CreateUnbounded<ConnectionContext>(new UnboundedChannelOptions { SingleReader = true }))
    {
    }

    public EndPoint EndPoint { get; } = endPoint;

    /// <summary>Where the connections for Kestrel go.</summary>
    public ChannelWriter<ConnectionContext> Writer => connections.Writer;

    /// <summary>No more connections: Kestrel's accept loop ends.</summary>
    public void Complete() => connections.Writer.TryComplete();

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await connections.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        Complete();
        return ValueTask.CompletedTask;
    }

    /// <summary>Ends the queue; connections still in it are aborted.</summary>
    public async ValueTask DisposeAsync()
    {
        Complete();
        while (connections.Reader.TryRead(out var waiting))
        {
            waiting.Abort();
            await waiting.DisposeAsync().ConfigureAwait(false);
        }
    }
}
