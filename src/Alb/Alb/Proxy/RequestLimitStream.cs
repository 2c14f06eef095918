using System.Buffers;

namespace Alb.Proxy;

/// <summary>
/// upstream-keepalive-requests: the plaintext side of one pooled HTTP/1.1 upstream connection. It counts the requests
/// the pool writes on it and adds <c>Connection: close</c> after the request line of the last one allowed, so the
/// backend answers it and closes, and .NET's pool retires the connection (nginx's upstream <c>keepalive_requests</c>
/// closes the connection after the Nth answer; the backend sees the same N requests on it).
/// </summary>
/// <remarks>
/// A request starts with the first write after a read (or the first write of all): the pool never pipelines, and
/// alb sends no <c>Expect: 100-continue</c> upstream (nginx clears it too), so a request is writes then reads. A
/// backend that answers before the body is sent leaves a connection the pool does not reuse; so that a body can never
/// be altered, the header is added only where the new write begins like a request line (a method token and a space).
/// </remarks>
internal sealed class RequestLimitStream(Stream inner, int maxRequests) : Stream
{
    private static readonly byte[] CloseHeader = "Connection: close\r\n"u8.ToArray();
    private readonly int _maxRequests = Math.Max(1, maxRequests);
    private int _requests;
    private bool _readSinceWrite = true;
    private bool _insertPending;

    /// <summary>Requests started on this connection.</summary>
    public int Requests => _requests;

    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        _readSinceWrite = true;
        return inner.Read(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _readSinceWrite = true;
        return inner.ReadAsync(buffer, cancellationToken);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var split = Plan(buffer);
        if (split < 0)
        {
            inner.Write(buffer);
            return;
        }

        inner.Write(Joined(buffer, split, out var rented));
        ArrayPool<byte>.Shared.Return(rented);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var split = Plan(buffer.Span);
        return split < 0 ? inner.WriteAsync(buffer, cancellationToken) : WriteJoinedAsync(buffer, split, cancellationToken);
    }

    private async ValueTask WriteJoinedAsync(ReadOnlyMemory<byte> buffer, int split, CancellationToken cancellationToken)
    {
        var length = Joined(buffer.Span, split, out var rented).Length;
        try
        {
            await inner.WriteAsync(rented.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Where the header goes in this write (after the request line's CRLF), or -1 for none.</summary>
    private int Plan(ReadOnlySpan<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return -1;
        }

        if (_readSinceWrite)
        {
            _readSinceWrite = false;
            _requests++;
            _insertPending = _requests == _maxRequests && StartsLikeRequestLine(buffer);
        }

        if (!_insertPending)
        {
            return -1;
        }

        var lineEnd = buffer.IndexOf("\r\n"u8);
        if (lineEnd < 0)
        {
            return -1; // a request line longer than this write: the header goes after its end in a later write
        }

        _insertPending = false;
        return lineEnd + 2;
    }

    private static ReadOnlySpan<byte> Joined(ReadOnlySpan<byte> buffer, int split, out byte[] rented)
    {
        rented = ArrayPool<byte>.Shared.Rent(buffer.Length + CloseHeader.Length);
        buffer[..split].CopyTo(rented);
        CloseHeader.CopyTo(rented.AsSpan(split));
        buffer[split..].CopyTo(rented.AsSpan(split + CloseHeader.Length));
        return rented.AsSpan(0, buffer.Length + CloseHeader.Length);
    }

    /// <summary>A method token (RFC 9110 tchar; upper-case letters in practice) then a space.</summary>
    private static bool StartsLikeRequestLine(ReadOnlySpan<byte> buffer)
    {
        var space = buffer.IndexOf((byte)' ');
        if (space <= 0 || space > 32)
        {
            return false;
        }

        foreach (var b in buffer[..space])
        {
            if (b is < (byte)'A' or > (byte)'Z' && b != (byte)'-' && b != (byte)'_')
            {
                return false;
            }
        }

        return true;
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
