using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Alb.Fast;

/// <summary>
/// A client connection alb's own HTTP/1.1 front end read from and then gave to Kestrel: Kestrel reads the bytes already
/// taken off the socket first, then the socket. <see cref="ConnectionClosed"/> fires when the client's side ends (as
/// Kestrel's own transport does, so a request in flight sees the client go); aborting or disposing closes the socket.
/// </summary>
internal sealed class HandedOverConnection : ConnectionContext, IConnectionIdFeature, IConnectionItemsFeature, IConnectionLifetimeFeature, IConnectionEndPointFeature, IConnectionTransportFeature, IMemoryPoolFeature
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _closed = new();
    private int _disposed;

    /// <param name="socket">The client's socket, owned from here on.</param>
    /// <param name="alreadyRead">What the front end read off it.</param>
    /// <param name="pool">Kestrel's kind of memory pool: its HTTP/1.1 response writer needs that pool's block size
    /// (with the shared array pool it hands out empty spans and a body write fails).</param>
    public HandedOverConnection(Socket socket, ReadOnlyMemory<byte> alreadyRead, MemoryPool<byte> pool)
    {
        _socket = socket;
        MemoryPool = pool;
        LocalEndPoint = socket.LocalEndPoint;
        RemoteEndPoint = socket.RemoteEndPoint;
        // The features Kestrel's own transport gives a connection (alb counts keep-alive requests in the items).
        Features.Set<IMemoryPoolFeature>(this);
        Features.Set<IConnectionIdFeature>(this);
        Features.Set<IConnectionItemsFeature>(this);
        Features.Set<IConnectionLifetimeFeature>(this);
        Features.Set<IConnectionEndPointFeature>(this);
        Features.Set<IConnectionTransportFeature>(this);
        var stream = new PrefixedStream(alreadyRead, new NetworkStream(socket, ownsSocket: false), ClientEnded, socket);
        // Kestrel completing the output (the last answer written) disposes the stream, which shuts the socket down:
        // the client sees the close at once and the read Kestrel still has pending ends, as on Kestrel's own transport.
        Transport = new Pipe(
            PipeReader.Create(stream, new StreamPipeReaderOptions(pool, leaveOpen: true)),
            PipeWriter.Create(stream, new StreamPipeWriterOptions(pool, leaveOpen: false)));
    }

    public override string ConnectionId { get; set; } = "fast-" + Guid.NewGuid().ToString("N")[..12];

    public override IFeatureCollection Features { get; } = new FeatureCollection();

    public MemoryPool<byte> MemoryPool { get; }

    public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

    public override IDuplexPipe Transport { get; set; }

    public override CancellationToken ConnectionClosed
    {
        get => _closed.Token;
        set => throw new NotSupportedException();
    }

    public override EndPoint? LocalEndPoint { get; set; }

    public override EndPoint? RemoteEndPoint { get; set; }

    public override void Abort(ConnectionAbortedException abortReason)
    {
        // A reset, not a close: a client must not take a cut-off answer for a whole one.
        try
        {
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // already gone
        }

        _socket.Dispose(); // pending reads and writes end with an error
        ClientEnded();
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            await base.DisposeAsync().ConfigureAwait(false);
            return;
        }

        await Transport.Input.CompleteAsync().ConfigureAwait(false);
        await Transport.Output.CompleteAsync().ConfigureAwait(false); // disposes the stream, which shuts the socket down
        _socket.Dispose();
        _closed.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void ClientEnded()
    {
        if (Volatile.Read(ref _disposed) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static cts =>
            {
                try
                {
                    cts.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // disposed meanwhile
                }
            }, _closed, preferLocal: false);
        }
    }

    private sealed class Pipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    /// <summary>Reads <c>prefix</c> first, then the socket; writes go to the socket; calls <c>ended</c> once reading ends.</summary>
    private sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, NetworkStream inner, Action ended, Socket socket) : Stream
    {
        private ReadOnlyMemory<byte> _prefix = prefix;
        private int _ended;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!_prefix.IsEmpty)
            {
                var n = Math.Min(buffer.Length, _prefix.Length);
                _prefix[..n].CopyTo(buffer);
                _prefix = _prefix[n..];
                return n;
            }

            try
            {
                var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    End();
                }

                return read;
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                End(); // a reset or an abort: the client's side has ended too
                throw;
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.WriteAsync(buffer, offset, count, cancellationToken);

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                try
                {
                    socket.Shutdown(SocketShutdown.Both);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    // reset or aborted already
                }
            }

            base.Dispose(disposing);
        }

        private void End()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                ended();
            }
        }
    }
}
