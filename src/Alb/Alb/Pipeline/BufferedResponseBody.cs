using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;

namespace Alb.Pipeline;

/// <summary>
/// <c>proxy-buffering: on</c>: the backend's answer is taken as fast as the backend sends it, into memory
/// (<c>proxy-buffers-number</c> × <c>proxy-buffer-size</c>) then a temp file (<c>proxy-max-temp-file-size</c>), so a
/// slow client does not hold the backend; the client is sent it after. Past those bounds the buffered part is sent
/// and the rest streams, as nginx does when its temp file is full.
/// </summary>
internal sealed class BufferedResponseBody(IHttpResponseBodyFeature inner, int memory, long tempFile) : IHttpResponseBodyFeature, IAsyncDisposable
{
    private readonly long _limit = memory + tempFile;
    private FileBufferingWriteStream? _buffer = new(memory, null, Path.GetTempPath);
    private long _buffered;
    private Stream? _stream;
    private PipeWriter? _writer;

    public Stream Stream => _stream ??= new WriteOnly(this);

    public PipeWriter Writer => _writer ??= PipeWriter.Create(Stream, new StreamPipeWriterOptions(leaveOpen: true));

    public void DisableBuffering() => inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

    public async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        await DrainAsync(cancellationToken).ConfigureAwait(false);
        await inner.SendFileAsync(path, offset, count, cancellationToken).ConfigureAwait(false);
    }

    public async Task CompleteAsync()
    {
        if (_writer is not null)
        {
            await _writer.FlushAsync().ConfigureAwait(false);
        }

        await DrainAsync(default).ConfigureAwait(false);
        await inner.CompleteAsync().ConfigureAwait(false);
    }

    /// <summary>Sends what is buffered; from then on writes go straight through.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        if (_writer is not null)
        {
            await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_buffer is { } buffer)
        {
            _buffer = null;
            await buffer.DrainBufferAsync(inner.Stream, cancellationToken).ConfigureAwait(false);
            await buffer.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            await buffer.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_buffer is { } buffer && _buffered + data.Length <= _limit)
        {
            await buffer.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            _buffered += data.Length;
            return;
        }

        await DrainAsync(cancellationToken).ConfigureAwait(false);
        await inner.Stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
    }

    private Task FlushAsync(CancellationToken cancellationToken) =>
        _buffer is null ? inner.Stream.FlushAsync(cancellationToken) : Task.CompletedTask;

    private sealed class WriteOnly(BufferedResponseBody owner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => owner.WriteAsync(buffer, cancellationToken);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            owner.WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => owner.WriteAsync(buffer.AsMemory(offset, count), default).AsTask().GetAwaiter().GetResult();

        public override void Flush() => owner.FlushAsync(default).GetAwaiter().GetResult();

        public override Task FlushAsync(CancellationToken cancellationToken) => owner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
