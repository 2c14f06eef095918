using System.Diagnostics;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace Alb.Pipeline;

/// <summary>
/// nginx's <c>limit_rate</c> / <c>limit_rate_after</c> (limit-rate, limit-rate-after): the first <c>after</c> bytes
/// of the answer go at full speed, the rest at most <c>rate</c> bytes per second, paced by waiting after each write
/// (writes are cut to a tenth of a second's worth, so the pace is smooth). Per request, as nginx.
/// </summary>
internal sealed class ThrottledResponseBody(IHttpResponseBodyFeature inner, long rate, long after) : IHttpResponseBodyFeature
{
    private Stream? _stream;
    private PipeWriter? _writer;

    public Stream Stream => _stream ??= new ThrottledStream(inner.Stream, rate, after);

    public PipeWriter Writer => _writer ??= PipeWriter.Create(Stream, new StreamPipeWriterOptions(leaveOpen: true));

    public void DisableBuffering() => inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        inner.SendFileAsync(path, offset, count, cancellationToken);

    public async Task CompleteAsync()
    {
        if (_writer is not null)
        {
            await _writer.FlushAsync().ConfigureAwait(false);
        }

        await inner.CompleteAsync().ConfigureAwait(false);
    }

    private sealed class ThrottledStream(Stream inner, long rate, long after) : Stream
    {
        private readonly long _chunk = Math.Max(rate / 10, 1);
        private long _sent;
        private long _throttledSince;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (!buffer.IsEmpty)
            {
                var free = Math.Max(after - _sent, 0);
                var take = (int)Math.Min(buffer.Length, free > 0 ? free : _chunk);
                await inner.WriteAsync(buffer[..take], cancellationToken).ConfigureAwait(false);
                buffer = buffer[take..];
                _sent += take;
                if (_sent <= after)
                {
                    continue;
                }

                if (_throttledSince == 0)
                {
                    _throttledSince = Stopwatch.GetTimestamp();
                }

                var due = TimeSpan.FromSeconds((_sent - after) / (double)rate);
                var wait = due - Stopwatch.GetElapsedTime(_throttledSince);
                if (wait > TimeSpan.Zero)
                {
                    await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
                    await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
