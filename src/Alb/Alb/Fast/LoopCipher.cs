using System.Buffers;
using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace Alb.Fast;

/// <summary>
/// The stream under a loop client's SslStream. On the loop: reads are served from the ciphertext the loop received
/// (<see cref="Space"/>, <see cref="Commit"/>; a read with nothing there stays pending until the loop feeds it, and
/// then completes on the loop's thread), writes go to the loop's output for the client at once. After the hand-over
/// to Kestrel (<see cref="Detach"/>): what was received and not yet read, then the socket's own asynchronous IO.
/// Holds a buffer only while it has ciphertext not yet read.
/// </summary>
internal sealed class LoopCipher(Action<ReadOnlySpan<byte>> output) : AsyncOnlyStream, IValueTaskSource<int>
{
    /// <summary>What the loop receives at most at once (a TLS record and its header fit).</summary>
    public const int ReceiveBytes = 17 * 1024;

    private byte[]? _buffer;
    private int _start;
    private int _length;
    private Memory<byte> _waiting;
    private ManualResetValueTaskSourceCore<int> _read = new() { RunContinuationsAsynchronously = false };
    private int _pending;
    private bool _ended;
    private Socket? _socket;

    /// <summary>A write could not go out (the client is gone): the loop closes the connection.</summary>
    public bool Broken { get; set; }

    /// <summary>Room for <paramref name="bytes"/> more bytes of ciphertext, for the loop to receive into.</summary>
    public Memory<byte> Space(int bytes)
    {
        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(bytes);
            _start = 0;
        }
        else if (_start + _length + bytes > _buffer.Length)
        {
            var bigger = _length + bytes > _buffer.Length ? ArrayPool<byte>.Shared.Rent(_length + bytes) : _buffer;
            _buffer.AsSpan(_start, _length).CopyTo(bigger);
            if (!ReferenceEquals(bigger, _buffer))
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = bigger;
            }

            _start = 0;
        }

        return _buffer.AsMemory(_start + _length, bytes);
    }

    /// <summary>
    /// <paramref name="received"/> bytes arrived in <see cref="Space"/>: a pending read takes them now (SslStream's
    /// await continues here, on the loop's thread).
    /// </summary>
    public void Commit(int received)
    {
        if (received == 0)
        {
            if (_length == 0)
            {
                Release(); // nothing came (EAGAIN)
            }

            return;
        }

        _length += received;
        if (Take())
        {
            var n = Copy(_waiting.Span);
            _waiting = default;
            _read.SetResult(n);
        }
    }

    /// <summary>The connection is closing: a pending read sees the end of the stream.</summary>
    public void EndOfInput()
    {
        _ended = true;
        if (Take())
        {
            _waiting = default;
            _read.SetResult(0);
        }
    }

    /// <summary>From now on, the socket's own asynchronous reads and writes (Kestrel's side); a pending read is served from it.</summary>
    public void Detach(Socket socket)
    {
        _socket = socket;
        if (Volatile.Read(ref _pending) == 1)
        {
            _ = CompletePendingAsync(socket);
        }
    }

    /// <summary>Whether this caller completes the pending read (once: the loop's end of input and a socket read may race after the hand-over).</summary>
    private bool Take() => Interlocked.Exchange(ref _pending, 0) == 1;

    private async Task CompletePendingAsync(Socket socket)
    {
        int n;
        try
        {
            n = await socket.ReceiveAsync(_waiting, SocketFlags.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            if (Take())
            {
                _waiting = default;
                _read.SetException(new IOException(e.Message, e));
            }

            return;
        }

        if (Take())
        {
            _waiting = default;
            _read.SetResult(n);
        }
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_length > 0)
        {
            return new ValueTask<int>(Copy(buffer.Span));
        }

        if (_ended)
        {
            return new ValueTask<int>(0);
        }

        if (_socket is { } socket)
        {
            return socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
        }

        _read.Reset();
        _waiting = buffer;
        _pending = 1;
        return new ValueTask<int>(this, _read.Version);
    }

    private int Copy(Span<byte> into)
    {
        var n = Math.Min(into.Length, _length);
        _buffer.AsSpan(_start, n).CopyTo(into);
        _start += n;
        _length -= n;
        if (_length == 0)
        {
            Release();
        }

        return n;
    }

    private void Release()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }

        _start = 0;
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_socket is not null)
        {
            WriteAsync(buffer.ToArray()).AsTask().GetAwaiter().GetResult();
            return;
        }

        output(buffer);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_socket is not { } socket)
        {
            output(buffer.Span);
            return;
        }

        while (buffer.Length > 0)
        {
            var sent = await socket.SendAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            buffer = buffer[sent..];
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            EndOfInput();
            Release();
            _socket?.Dispose();
        }

        base.Dispose(disposing);
    }

    public int GetResult(short token) => _read.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _read.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _read.OnCompleted(continuation, state, token, flags);
}
