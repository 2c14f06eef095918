using Amazon.S3.Model;

namespace EtcdBackup.Targets;

/// <summary>
/// Streams an object into an S3 multipart upload as it arrives: parts of the configured size, at most the configured
/// number in flight, each (native) buffer reused, so memory is <c>(concurrency + 1) × part size</c> whatever the snapshot
/// size. Any failure or an abort removes the upload, so no partial object is ever left.
/// </summary>
internal sealed class S3MultipartWriter(S3Target target, string key, string uploadId) : ITargetWriter
{
    private readonly int _partSize = target.Location.PartSizeMiB * 1024 * 1024;
    private readonly Queue<Task<PartETag>> _inFlight = new();
    private readonly Stack<PartBuffer> _free = new();
    private readonly List<PartBuffer> _all = [];
    private readonly List<PartETag> _done = [];
    private PartBuffer? _current;
    private int _filled;
    private int _nextPart = 1;
    private bool _ended;

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        while (data.Length > 0)
        {
            _current ??= TakeBuffer();
            var n = Math.Min(data.Length, _partSize - _filled);
            data.Span[..n].CopyTo(_current.Span[_filled..]);
            _filled += n;
            data = data[n..];
            if (_filled == _partSize)
            {
                await SendPartAsync(ct).ConfigureAwait(false);
            }
        }
    }

    public async Task CompleteAsync(CancellationToken ct)
    {
        if (_filled > 0 || _nextPart == 1)
        {
            await SendPartAsync(ct).ConfigureAwait(false);
        }

        while (_inFlight.Count > 0)
        {
            _done.Add(await _inFlight.Dequeue().ConfigureAwait(false));
        }

        FreeBuffers();
        using var deadline = S3Target.Deadline(ct);
        await target.Client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = target.Location.Bucket,
            Key = key,
            UploadId = uploadId,
            PartETags = [.. _done.OrderBy(p => p.PartNumber)],
        }, deadline.Token).ConfigureAwait(false);
        _ended = true;
    }

    private PartBuffer TakeBuffer()
    {
        lock (_free)
        {
            if (_free.Count > 0)
            {
                return _free.Pop();
            }

            var buffer = new PartBuffer(_partSize);
            _all.Add(buffer);
            return buffer;
        }
    }

    private async Task SendPartAsync(CancellationToken ct)
    {
        // Bounded: wait for the oldest part before a new one goes out.
        while (_inFlight.Count >= target.Location.Concurrency)
        {
            _done.Add(await _inFlight.Dequeue().ConfigureAwait(false));
        }

        var buffer = _current ?? TakeBuffer();
        var length = _filled;
        _current = null;
        _filled = 0;
        _inFlight.Enqueue(UploadAsync(buffer, length, _nextPart++, ct));
    }

    /// <summary>The slowest upload rate tolerated before a part is given up (and the upload aborted): 64 KiB/s.</summary>
    private const int FloorBytesPerSecond = 64 * 1024;

    private async Task<PartETag> UploadAsync(PartBuffer buffer, int length, int number, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(60 + (length / FloorBytesPerSecond)));
        try
        {
            var response = await target.Client.UploadPartAsync(new UploadPartRequest
            {
                BucketName = target.Location.Bucket,
                Key = key,
                UploadId = uploadId,
                PartNumber = number,
                InputStream = buffer.Open(length),
                UseChunkEncoding = false,
                DisablePayloadSigning = target.PayloadSigningOptional ? true : null,
            }, deadline.Token).ConfigureAwait(false);
            return new PartETag(number, response.ETag);
        }
        finally
        {
            lock (_free)
            {
                _free.Push(buffer);
            }
        }
    }

    public async Task AbortAsync()
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        while (_inFlight.Count > 0)
        {
            try
            {
                await _inFlight.Dequeue().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The upload is aborted below whatever its parts did.
            }
        }

        FreeBuffers();

        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await target.Client.AbortMultipartUploadAsync(target.Location.Bucket, key, uploadId, cts.Token).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Unreachable store: the unfinished upload is invisible to listings; the next run's prune or a lifecycle
            // rule removes it.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_ended)
        {
            await AbortAsync().ConfigureAwait(false);
        }

        FreeBuffers();
    }

    /// <summary>Releases the native part buffers; only called when no part upload is in flight.</summary>
    private void FreeBuffers()
    {
        lock (_free)
        {
            foreach (var buffer in _all)
            {
                buffer.Dispose();
            }

            _all.Clear();
            _free.Clear();
            _current = null;
            _filled = 0;
        }
    }
}
