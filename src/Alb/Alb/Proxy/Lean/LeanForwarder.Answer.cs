using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using Alb.Core.Http1;
using Microsoft.AspNetCore.Http.Features;

namespace Alb.Proxy.Lean;

/// <summary>The answer's half: status and fields copied as YARP copies them, then the body by its framing.</summary>
internal sealed partial class LeanForwarder
{
    /// <summary>Copies status, fields and body to the client; true when the connection can carry another request.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> CopyAnswerAsync(HttpContext context, LeanConnection connection, int received, bool headRequest)
    {
        var head = connection.Head;
        var buffer = connection.Buffer;
        var response = context.Response;
        response.StatusCode = head.Status;
        var reason = buffer.AsSpan(head.ReasonStart, head.ReasonLength);
        if (!HttpProtocol.IsHttp2(context.Request.Protocol) && !HttpProtocol.IsHttp3(context.Request.Protocol) &&
            !Ascii.Equals(reason, Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(head.Status)))
        {
            context.Features.Get<IHttpResponseFeature>()!.ReasonPhrase = Encoding.Latin1.GetString(reason);
        }

        var headers = response.Headers;
        foreach (var field in head.Headers)
        {
            var name = buffer.AsSpan(field.NameStart, field.NameLength);
            var value = buffer.AsSpan(field.ValueStart, field.ValueLength);
            var known = ResponseFields.Find(name);
            if (known == ResponseFields.ContentLength)
            {
                response.ContentLength = head.ContentLength;
                continue;
            }

            if (known >= 0 && ResponseFields.Skipped(known))
            {
                continue;
            }

            headers.Append(known >= 0 ? ResponseFields.Names[known] : Encoding.Latin1.GetString(name), connection.Value(known, value));
        }

        route.AfterCopy(context, copyBody: true);
        var start = head.Length;
        var available = received - start;
        var writer = response.BodyWriter;
        var cancel = connection.Cancel;
        var socket = connection.Socket;
        switch (head.Framing(headRequest))
        {
            case BodyFraming.None:
                return available == 0 && head.KeepAlive(headRequest);
            case BodyFraming.ContentLength when head.ContentLength > available && start + head.ContentLength <= MaxGatheredAnswer:
            {
                // A small body: gathered in the connection's buffer, then handed to Kestrel in one write (one send to the client).
                var total = start + (int)head.ContentLength;
                if (buffer.Length < total)
                {
                    var bigger = GC.AllocateUninitializedArray<byte>(Math.Max(total, buffer.Length * 2));
                    buffer.AsSpan(0, received).CopyTo(bigger);
                    connection.Buffer = buffer = bigger;
                }

                while (received < total)
                {
                    cancel.CancelAfter(activityTimeout);
                    var read = await socket.ReceiveAsync(buffer.AsMemory(received, total - received), SocketFlags.None, cancel.Token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        throw new LeanProtocolException("The backend closed the connection before the end of the body.");
                    }

                    received += read;
                }

                writer.Write(buffer.AsSpan(start, (int)head.ContentLength));
                await FlushAsync(writer, context).ConfigureAwait(false);
                return head.KeepAlive(headRequest);
            }

            case BodyFraming.ContentLength:
            {
                var remaining = head.ContentLength;
                var now = (int)Math.Min(available, remaining);
                writer.Write(buffer.AsSpan(start, now));
                remaining -= now;
                while (remaining > 0)
                {
                    await FlushAsync(writer, context).ConfigureAwait(false);
                    var memory = writer.GetMemory(16 * 1024);
                    cancel.CancelAfter(activityTimeout);
                    var read = await socket.ReceiveAsync(memory[..(int)Math.Min(memory.Length, remaining)], SocketFlags.None, cancel.Token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        throw new LeanProtocolException("The backend closed the connection before the end of the body.");
                    }

                    writer.Advance(read);
                    remaining -= read;
                }

                await FlushAsync(writer, context).ConfigureAwait(false);

                return available <= head.ContentLength && head.KeepAlive(headRequest);
            }

            case BodyFraming.Chunked:
            {
                var decoder = default(ChunkedDecoder);
                var offset = start;
                var end = received;
                while (true)
                {
                    while (offset < end)
                    {
                        var result = decoder.Decode(buffer.AsSpan(offset, end - offset), out var consumed, out var dataStart, out var dataLength);
                        if (result == ChunkResult.Data)
                        {
                            writer.Write(buffer.AsSpan(offset + dataStart, dataLength));
                        }
                        else if (result == ChunkResult.Error)
                        {
                            throw new LeanProtocolException(decoder.Error.ToString());
                        }

                        offset += consumed;
                        if (result == ChunkResult.Done)
                        {
                            await FlushAsync(writer, context).ConfigureAwait(false);

                            return offset == end && head.KeepAlive(headRequest);
                        }
                    }

                    await FlushAsync(writer, context).ConfigureAwait(false);
                    cancel.CancelAfter(activityTimeout);
                    end = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token).ConfigureAwait(false);
                    offset = 0;
                    if (end == 0)
                    {
                        throw new LeanProtocolException("The backend closed the connection inside a chunked body.");
                    }
                }
            }

            default:
            {
                writer.Write(buffer.AsSpan(start, available));
                while (true)
                {
                    await FlushAsync(writer, context).ConfigureAwait(false);
                    var memory = writer.GetMemory(16 * 1024);
                    cancel.CancelAfter(activityTimeout);
                    var read = await socket.ReceiveAsync(memory, SocketFlags.None, cancel.Token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return false;
                    }

                    writer.Advance(read);
                }
            }
        }
    }

    /// <summary>
    /// Every body ends with a flush: bytes only written stay in a wrapping body feature's writer (limit-rate's
    /// PipeWriter over a Stream) and were seen lost after an earlier flush on Kestrel's own (h1-16k hung).
    /// </summary>
    private static async ValueTask FlushAsync(PipeWriter writer, HttpContext context)
    {
        var flushed = await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        if (flushed.IsCanceled || flushed.IsCompleted)
        {
            throw new ClientGoneException();
        }
    }
}
