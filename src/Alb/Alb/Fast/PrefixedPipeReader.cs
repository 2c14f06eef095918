using System.Buffers;
using System.IO.Pipelines;

namespace Alb.Fast;

/// <summary>
/// A connection's input for Kestrel after a hand-over: first the bytes the loop already read, then the socket's own
/// reader (Kestrel's socket transport). While bytes of the prefix are left, a read returns them, joined (copied into
/// one buffer) with whatever the socket's reader holds when there is any or when the reader examined all it had;
/// once the prefix is consumed, every call goes straight to the socket's reader.
/// </summary>
internal sealed class PrefixedPipeReader(ReadOnlyMemory<byte> prefix, PipeReader inner) : PipeReader
{
    private ReadOnlyMemory<byte> _prefix = prefix;
    private bool _examinedAll;
    private ReadOnlySequence<byte> _last;
    private bool _lastJoined;
    private bool _lastOwn;
    private ReadOnlySequence<byte> _innerBuffer;

    public override bool TryRead(out ReadResult result)
    {
        if (_prefix.IsEmpty)
        {
            return inner.TryRead(out result);
        }

        if (inner.TryRead(out var joined))
        {
            result = Join(joined);
            return true;
        }

        if (_examinedAll)
        {
            result = default;
            return false;
        }

        result = Alone();
        return true;
    }

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (_prefix.IsEmpty)
        {
            return inner.ReadAsync(cancellationToken); // no state machine of its own once the prefix is gone
        }

        if (inner.TryRead(out var ready))
        {
            return ValueTask.FromResult(Join(ready));
        }

        // The reader has not seen all of the prefix yet (a pipelined request in it): no waiting for the socket.
        return _examinedAll ? JoinAsync(cancellationToken) : ValueTask.FromResult(Alone());
    }

    private async ValueTask<ReadResult> JoinAsync(CancellationToken cancellationToken) =>
        Join(await inner.ReadAsync(cancellationToken).ConfigureAwait(false));

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        if (!_lastOwn)
        {
            inner.AdvanceTo(consumed, examined);
            return;
        }

        _lastOwn = false;
        var used = (int)_last.Slice(_last.Start, consumed).Length;
        var seen = Math.Max((int)_last.Slice(_last.Start, examined).Length, used);
        var length = _prefix.Length;
        _examinedAll = seen == _last.Length;
        if (!_lastJoined)
        {
            _prefix = _prefix[used..];
            return;
        }

        if (used < length)
        {
            _prefix = _prefix[used..];
            inner.AdvanceTo(_innerBuffer.Start, seen > length ? _innerBuffer.GetPosition(seen - length) : _innerBuffer.Start);
        }
        else
        {
            _prefix = ReadOnlyMemory<byte>.Empty;
            inner.AdvanceTo(_innerBuffer.GetPosition(used - length), _innerBuffer.GetPosition(seen - length));
        }

        _innerBuffer = default;
    }

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

    private ReadResult Alone()
    {
        _last = new ReadOnlySequence<byte>(_prefix);
        _lastJoined = false;
        _lastOwn = true;
        return new ReadResult(_last, isCanceled: false, isCompleted: false);
    }

    private ReadResult Join(ReadResult fromSocket)
    {
        _innerBuffer = fromSocket.Buffer;
        var joined = new byte[_prefix.Length + (int)_innerBuffer.Length];
        _prefix.Span.CopyTo(joined);
        _innerBuffer.CopyTo(joined.AsSpan(_prefix.Length));
        _last = new ReadOnlySequence<byte>(joined);
        _lastJoined = true;
        _lastOwn = true;
        return new ReadResult(_last, fromSocket.IsCanceled, fromSocket.IsCompleted);
    }
}
