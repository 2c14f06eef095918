using Alb.Core.Http1;
using Alb.Observability;
using Alb.Proxy.Lean;

namespace Alb.Fast;

/// <summary>
/// The answer's half: the backend's head re-written as the general path writes it (its fields but hop-by-hop ones,
/// Server, alb's Date when it sent none, the framing for this client), the body passed on as it comes (re-chunked
/// when it was chunked or close-delimited), back-pressure on a slow client, then the metrics and the access log.
/// </summary>
internal sealed unsafe partial class FrontEndLoop
{
    private const int LingerSeconds = 5;

    private void AnswerHead(LoopClient client, LoopUpstream up)
    {
        var head = up.Head;
        var buffer = up.Buffer;
        client.AnswerStarted = true;
        client.Status = head.Status;
        up.Framing = head.Framing(client.IsHead);
        up.Remaining = up.Framing == BodyFraming.ContentLength ? head.ContentLength : 0;
        _outLength = 0;
        Append("HTTP/1.1 "u8);
        Number(head.Status);
        Append(" "u8);
        Append(buffer.AsSpan(head.ReasonStart, head.ReasonLength));
        Append("\r\n"u8);
        var sawDate = false;
        var cors = client.CorsOrigin is null ? null : client.Route!.Cors!.Replaced;
        var custom = client.CustomFields ? client.Route!.Custom!.Replaced : null;
        var hsts = client.Https && client.Route!.Forwarding.ResponseHeaders.HstsBytes is not null;
        foreach (var field in head.Headers)
        {
            var name = buffer.AsSpan(field.NameStart, field.NameLength);
            var known = ResponseFields.Find(name);
            if (known == ResponseFields.ContentLength || (known >= 0 && ResponseFields.Skipped(known)) || known == ResponseFields.Server || cors?.Contains(name) == true || custom?.Contains(name) == true
                || (hsts && System.Text.Ascii.EqualsIgnoreCase(name, "Strict-Transport-Security"u8)))
            {
                continue;
            }

            sawDate |= known == ResponseFields.Date;
            Append(name);
            Append(": "u8);
            Append(buffer.AsSpan(field.ValueStart, field.ValueLength));
            Append("\r\n"u8);
        }

        AppendAlbFields(client);
        if (!sawDate)
        {
            AppendDate();
        }

        AppendRouteFields(client);
        if (head.ContentLength >= 0)
        {
            Append("Content-Length: "u8);
            Number(head.ContentLength);
            Append("\r\n"u8);
        }
        else if (up.Framing is BodyFraming.Chunked or BodyFraming.UntilClose)
        {
            if (client.Http10)
            {
                client.CloseAfter = true; // HTTP/1.0 has no chunked coding: the body ends with the connection, as Kestrel sends it
            }
            else
            {
                Append("Transfer-Encoding: chunked\r\n"u8);
            }
        }

        AppendConnection(client);
        client.ResponseBytes = _outLength;
        Relay(client, up, buffer.AsSpan(head.Length, up.Received - head.Length), headWritten: true);
    }

    /// <summary>Passes body bytes on by the answer's framing; the end of the body ends the exchange.</summary>
    private void Relay(LoopClient client, LoopUpstream up, ReadOnlySpan<byte> data, bool headWritten = false)
    {
        if (!headWritten)
        {
            _outLength = 0;
        }

        var done = false;
        var extra = false;
        long body = 0;
        switch (up.Framing)
        {
            case BodyFraming.None:
                done = true;
                extra = data.Length > 0;
                break;
            case BodyFraming.ContentLength:
                var take = (int)Math.Min(data.Length, up.Remaining);
                Append(data[..take]);
                body = take;
                up.Remaining -= take;
                done = up.Remaining == 0;
                extra = data.Length > take;
                break;
            case BodyFraming.Chunked:
                while (data.Length > 0 && !done)
                {
                    var result = up.Chunks.Decode(data, out var consumed, out var start, out var length);
                    if (result == ChunkResult.Error)
                    {
                        BadAnswer(client, up, up.Chunks.Error.ToString());
                        return;
                    }

                    if (result == ChunkResult.Data)
                    {
                        Chunk(client, data.Slice(start, length));
                        body += length;
                    }

                    data = data[consumed..];
                    if (result == ChunkResult.Done)
                    {
                        LastChunk(client);
                        done = true;
                        extra = data.Length > 0;
                    }
                }

                break;
            default: // until close: re-chunked for the client; the end comes with the backend's close
                Chunk(client, data);
                body = data.Length;
                break;
        }

        client.ResponseBytes += body;
        if (done)
        {
            Record(client); // before the last bytes go: a client that saw its answer end finds it in the metrics
        }

        var sent = _outLength > 0 ? Send(client, _out.AsSpan(0, _outLength)) : Sent.All;
        if (sent == Sent.Gone)
        {
            return;
        }

        if (done)
        {
            EndAnswer(client, up, reusable: !extra);
        }
        else if (sent == Sent.Pending)
        {
            Interest(up, 0); // the client is slow: the backend waits until it drained
        }
    }

    private void EndAnswer(LoopClient client, LoopUpstream? up, bool reusable)
    {
        Record(client);
        if (up is not null && up.Framing == BodyFraming.UntilClose && !client.Http10)
        {
            _outLength = 0;
            LastChunk(client);
            if (Send(client, _out.AsSpan(0, _outLength)) == Sent.Gone)
            {
                return;
            }
        }

        client.AnswerDone = true;
        if (up is not null && client.OutLength > 0)
        {
            Interest(up, 0); // done with it until the client drained: nothing it sends now is read as this answer's
        }

        client.UpstreamReusable = reusable && up is not null && up.Head.KeepAlive(client.IsHead);
        if (client.OutLength == 0)
        {
            Finish(client);
        }
    }

    /// <summary>The exchange is over and its bytes are with the kernel: the backend connection kept or closed, the request recorded, the next one read.</summary>
    private void Finish(LoopClient client)
    {
        if (client.Up is { } up)
        {
            if (client.UpstreamReusable)
            {
                ReturnIdle(up, client.Route!);
            }
            else
            {
                Drop(up);
            }
        }

        Record(client);
        client.ClearExchange();
        if (client.CloseAfter)
        {
            Linger(client);
            return;
        }

        Interest(client, Native.EpollIn);
        Process(client);
        if (client.Tls is { } tls)
        {
            Pump(client, tls); // SslStream may hold the next request already: epoll would not say so
        }
    }

    /// <summary>
    /// A connection closing after its answer. With nothing more from the client (read, or waiting in the socket:
    /// one peek), a plain close, as nginx's lingering_close heuristic. Else the write side is shut at once (the client
    /// sees the end) and what it still sends is read and dropped for a while: closing with unread bytes would reset
    /// the connection and could destroy the answer on its way (a client that pipelined behind a close).
    /// </summary>
    private void Linger(LoopClient client)
    {
        if (client.Tls is { } tls)
        {
            tls.Close(notify: true); // close_notify first; what the client still sends is dropped undecrypted
            client.Tls = null;
        }

        if (client.InLength == 0 && !Native.BytesWaiting(client.Fd))
        {
            Close(client, reset: false);
            return;
        }

        Native.shutdown(client.Fd, 1); // SHUT_WR
        client.Lingering = true;
        client.InLength = 0;
        client.Deadline = Now + (LingerSeconds * Frequency);
        Interest(client, Native.EpollIn);
    }

    /// <summary>What alb puts on every answer of its and the backend's: Server, and Strict-Transport-Security over HTTPS (hsts, replacing the backend's).</summary>
    private void AppendAlbFields(LoopClient client)
    {
        var fields = client.Route!.Forwarding.ResponseHeaders;
        Append("Server: "u8);
        Append(fields.ServerBytes);
        Append("\r\n"u8);
        if (client.Https && fields.HstsBytes is { } hsts)
        {
            Append("Strict-Transport-Security: "u8);
            Append(hsts);
            Append("\r\n"u8);
        }
    }

    /// <summary>The request's metrics and access log line, once per exchange: when its answer is complete, or its client gone.</summary>
    private void Record(LoopClient client)
    {
        if (client.Recorded || client.Runtime is not { } runtime)
        {
            return;
        }

        client.Recorded = true;
        var elapsed = (Now - client.Started) / (double)Frequency;
        var children = runtime.MetricsFor(client.Status, client.Method);
        children.Requests.Inc();
        children.Duration.Observe(elapsed);
        children.RequestSize.Observe(client.RequestBytes);
        children.ResponseSize.Observe(client.ResponseBytes);
        if (_accessLog.Enabled && runtime.AccessLog)
        {
            _accessLog.Write(new AccessLogEntry(
                DateTimeOffset.UtcNow,
                client.RequestId,
                client.NamedClient?.ToString() ?? client.Peer?.Address.ToString() ?? "",
                client.Method,
                client.Host,
                client.Path,
                client.Http10 ? "HTTP/1.0" : "HTTP/1.1",
                client.Status,
                client.RequestBytes,
                client.ResponseBytes,
                elapsed,
                client.Endpoint?.Authority,
                runtime.Namespace,
                runtime.Ingress,
                runtime.Service));
        }
    }

}
