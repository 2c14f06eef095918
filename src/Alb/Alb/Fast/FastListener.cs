using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Alb.Core.Http1;
using Alb.Observability;
using Microsoft.AspNetCore.Connections;

namespace Alb.Fast;

/// <summary>
/// The plain HTTP listener of alb's own HTTP/1.1 front end (<c>ALB_FAST_H1=1</c>, issue 15; docs/performance.md, "alb's
/// own HTTP/1.1 server: the plan"). It accepts, reads the client's first bytes, parses the request head
/// (<see cref="RequestHeadParser"/>) and decides who serves it. Serving on the front end's own loop is the next step;
/// today every connection is handed to Kestrel with the bytes already read (<see cref="HandedOverConnection"/>), and
/// <c>alb_fast_handover_total</c> counts why. Kestrel takes it from this listener's <see cref="AcceptAsync"/>, so its
/// connection middleware, limits and protocols apply as on its own transport.
/// </summary>
internal sealed class FastListener : IConnectionListener
{
    private const int FirstReadBytes = 8 * 1024;

    /// <summary>Connections waiting for their first bytes at most; past it a connection goes to Kestrel unread, under Kestrel's limits.</summary>
    public const int DefaultMaxWaiting = 1024;

    private readonly int _maxWaiting;
    private int _waiting;
    private readonly Socket _socket;
    private readonly Channel<ConnectionContext> _ready = Channel.CreateBounded<ConnectionContext>(new BoundedChannelOptions(1024) { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeSpan _firstReadTimeout;
    private readonly AlbMetrics _metrics;
    private readonly Task _accepting;
    private readonly MemoryPool<byte> _pool;

    public FastListener(IPEndPoint endPoint, TimeSpan firstReadTimeout, AlbMetrics metrics, MemoryPool<byte> pool, int maxWaiting = DefaultMaxWaiting)
    {
        _maxWaiting = maxWaiting;
        _pool = pool;
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

        _socket.Listen(512);
        _firstReadTimeout = firstReadTimeout;
        _metrics = metrics;
        _accepting = AcceptLoopAsync();
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

    public async ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _accepting.ConfigureAwait(false);
        _ready.Writer.TryComplete();
    }

    public async ValueTask DisposeAsync()
    {
        await UnbindAsync().ConfigureAwait(false);
        while (_ready.Reader.TryRead(out var waiting))
        {
            await waiting.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
        _pool.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                continue; // one failed accept (the client gone before it was taken) does not stop the listener
            }

            client.NoDelay = true;
            _ = HandOverAsync(client); // each connection's first read on its own, so a slow client holds up no other
        }
    }

    private async Task HandOverAsync(Socket client)
    {
        // Idle connections cost this listener nothing past the bound: a flood of them is Kestrel's to limit and time out.
        if (Interlocked.Increment(ref _waiting) > _maxWaiting)
        {
            Interlocked.Decrement(ref _waiting);
            _metrics.FastHandOver("unread");
            await QueueAsync(new HandedOverConnection(client, ReadOnlyMemory<byte>.Empty, _pool)).ConfigureAwait(false);
            return;
        }

        try
        {
            await ReadAndHandOverAsync(client).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    private async Task ReadAndHandOverAsync(Socket client)
    {
        var buffer = new byte[FirstReadBytes];
        int read;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
        {
            timeout.CancelAfter(_firstReadTimeout);
            try
            {
                read = await client.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
                read = 0; // nothing within client-header-timeout, a reset, or alb stopping: closed, as Kestrel would
            }
        }

        if (read == 0)
        {
            client.Dispose();
            return;
        }

        var head = new RequestHead();
        var verdict = RequestHeadParser.TryParse(buffer.AsSpan(0, read), head, RequestLimits.Default);
        _metrics.FastHandOver(verdict == HeadError.None ? "not_served_here_yet" : verdict.ToString());
        await QueueAsync(new HandedOverConnection(client, buffer.AsMemory(0, read), _pool)).ConfigureAwait(false);
    }

    private async Task QueueAsync(HandedOverConnection connection)
    {
        try
        {
            await _ready.Writer.WriteAsync(connection, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>Binds <see cref="FastListener"/> for the one endpoint it serves (alb's plain HTTP listener); Kestrel's own transport takes the others.</summary>
internal sealed class FastListenerFactory(IPEndPoint http, TimeSpan firstReadTimeout, AlbMetrics metrics, IMemoryPoolFactory<byte> pools) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    public bool CanBind(EndPoint endpoint) => endpoint is IPEndPoint ip && ip.Equals(http);

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IConnectionListener>(new FastListener((IPEndPoint)endpoint, firstReadTimeout, metrics, pools.Create(new MemoryPoolOptions { Owner = "alb-fast" })));
}
