using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;
using Prometheus;

namespace Alb.Observability;

/// <summary>One access log record; carries no header values except the request id, so no secret can leak through it.</summary>
internal readonly record struct AccessLogEntry(
    DateTimeOffset Time,
    string RequestId,
    string Client,
    string Method,
    string Host,
    string Path,
    string Protocol,
    int Status,
    long RequestBytes,
    long ResponseBytes,
    double DurationSeconds,
    string? Upstream,
    string Namespace,
    string Ingress,
    string Service);

/// <summary>
/// A bounded, asynchronous JSON-lines access log. The request path only enqueues; a background task writes.
/// When the writer falls behind, lines are dropped and counted (alb_access_log_dropped_total), never queued without bound.
/// </summary>
internal sealed class AccessLog : IAsyncDisposable
{
    private const int Capacity = 16384;

    private readonly Channel<AccessLogEntry> _channel = Channel.CreateBounded<AccessLogEntry>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly Stream? _output;
    private readonly Counter _dropped;
    private readonly Task _writer;

    public AccessLog(string target, Counter dropped)
    {
        _dropped = dropped;
        _output = target switch
        {
            "off" => null,
            "stdout" => Console.OpenStandardOutput(),
            _ => new FileStream(target, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, 64 * 1024),
        };
        _writer = _output is null ? Task.CompletedTask : Task.Run(WriteLoopAsync);
    }

    public bool Enabled => _output is not null;

    public void Write(in AccessLogEntry entry)
    {
        if (_output is not null && !_channel.Writer.TryWrite(entry))
        {
            _dropped.Inc();
        }
    }

    private async Task WriteLoopAsync()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(64 * 1024);
        await using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        while (await _channel.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (_channel.Reader.TryRead(out var e))
            {
                json.Reset(buffer);
                Format(json, e);
                json.Flush();
                buffer.Write("\n"u8);
                if (buffer.WrittenCount > 48 * 1024)
                {
                    await FlushAsync(buffer).ConfigureAwait(false);
                }
            }

            await FlushAsync(buffer).ConfigureAwait(false);
        }
    }

    private async Task FlushAsync(System.Buffers.ArrayBufferWriter<byte> buffer)
    {
        if (buffer.WrittenCount == 0)
        {
            return;
        }

        try
        {
            await _output!.WriteAsync(buffer.WrittenMemory).ConfigureAwait(false);
            await _output.FlushAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
            // stdout closed (the reader went away): keep serving, lose the log.
        }

        buffer.ResetWrittenCount();
    }

    private static void Format(Utf8JsonWriter w, in AccessLogEntry e)
    {
        w.WriteStartObject();
        w.WriteString("time", e.Time);
        w.WriteString("request_id", e.RequestId);
        w.WriteString("client", e.Client);
        w.WriteString("method", e.Method);
        w.WriteString("host", e.Host);
        w.WriteString("path", e.Path);
        w.WriteString("protocol", e.Protocol);
        w.WriteNumber("status", e.Status);
        w.WriteNumber("request_bytes", e.RequestBytes);
        w.WriteNumber("bytes_sent", e.ResponseBytes);
        w.WriteNumber("duration", Math.Round(e.DurationSeconds, 6));
        w.WriteString("upstream_addr", e.Upstream);
        w.WriteString("namespace", e.Namespace);
        w.WriteString("ingress", e.Ingress);
        w.WriteString("service", e.Service);
        w.WriteEndObject();
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        if (_output is not null)
        {
            await _output.DisposeAsync().ConfigureAwait(false);
        }
    }
}
