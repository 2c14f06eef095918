using System.Buffers;
using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Text;

namespace Alb.Fast;

/// <summary>Bytes to the client: one send where the socket takes them, the rest kept until it is writable; the answer's buffer.</summary>
internal sealed unsafe partial class FrontEndLoop
{
    /// <summary>What goes to the client in one send: a head and the body bytes of one read from the backend.</summary>
    private byte[] _out = GC.AllocateUninitializedArray<byte>((2 * LoopUpstream.BufferSize) + (16 * 1024));
    private int _outLength;
    private readonly byte[] _date = new byte[29];
    private long _dateSecond = -1;

    private enum Sent
    {
        All,
        Pending,
        Gone,
    }

    /// <summary>Sends what the client's socket takes and keeps the rest (its writable event sends it); a client gone is closed (with a reset).</summary>
    private Sent Send(LoopClient client, ReadOnlySpan<byte> data)
    {
        var sent = client.Tls is { } tls ? Seal(client, tls, data) : Put(client, data);
        if (sent == Sent.Gone)
        {
            Close(client, reset: true);
        }

        return sent;
    }

    /// <summary>Bytes as they go on the wire (plaintext, or TLS records): what the socket takes now, the rest kept; Gone when the client is.</summary>
    private Sent Put(LoopClient client, ReadOnlySpan<byte> data)
    {
        nint sent = 0;
        if (client.OutLength == 0)
        {
            fixed (byte* bytes = data)
            {
                sent = Native.send(client.Fd, bytes, data.Length, Native.MsgNoSignal);
            }

            if (sent == data.Length)
            {
                return Sent.All;
            }

            if (sent < 0 && Marshal.GetLastPInvokeError() != Native.EAgain)
            {
                return Sent.Gone;
            }

            sent = Math.Max(sent, 0);
        }

        var rest = data[(int)sent..];
        var needed = client.OutLength + rest.Length;
        if (client.Out is null || client.OutStart + needed > client.Out.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, 16 * 1024));
            if (client.Out is not null)
            {
                client.Out.AsSpan(client.OutStart, client.OutLength).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(client.Out);
            }

            client.Out = bigger;
            client.OutStart = 0;
        }

        rest.CopyTo(client.Out.AsSpan(client.OutStart + client.OutLength));
        client.OutLength += rest.Length;
        client.Deadline = Now + Ticks(LoopSettings.SendTimeout);
        Interest(client, Native.EpollOut);
        return Sent.Pending;
    }

    private void Drain(LoopClient client)
    {
        nint sent;
        fixed (byte* bytes = &client.Out![client.OutStart])
        {
            sent = Native.send(client.Fd, bytes, client.OutLength, Native.MsgNoSignal);
        }

        if (sent < 0)
        {
            if (Marshal.GetLastPInvokeError() != Native.EAgain)
            {
                Close(client, reset: true);
            }

            return;
        }

        client.OutStart += (int)sent;
        client.OutLength -= (int)sent;
        if (client.OutLength > 0)
        {
            client.Deadline = Now + Ticks(LoopSettings.SendTimeout);
            return;
        }

        ArrayPool<byte>.Shared.Return(client.Out);
        client.Out = null;
        client.OutStart = 0;
        client.Deadline = 0;
        Interest(client, Native.EpollIn);
        if (client.AnswerDone)
        {
            Finish(client);
        }
        else if (client.Up is { } up)
        {
            Interest(up, Native.EpollIn); // drained: read the backend again
        }
    }

    /// <summary>Body bytes of a chunked or close-delimited answer: one chunk, or (HTTP/1.0, close-delimited) the bytes as they are.</summary>
    private void Chunk(LoopClient client, ReadOnlySpan<byte> data)
    {
        if (data.Length == 0)
        {
            return;
        }

        if (client.Http10)
        {
            Append(data);
            return;
        }

        Utf8Formatter.TryFormat(data.Length, _out.AsSpan(_outLength), out var written, new StandardFormat('x'));
        _outLength += written;
        Append("\r\n"u8);
        Append(data);
        Append("\r\n"u8);
    }

    /// <summary>The last chunk (none for an HTTP/1.0 client: its answer ends with the connection).</summary>
    private void LastChunk(LoopClient client)
    {
        if (!client.Http10)
        {
            Append("0\r\n\r\n"u8);
        }
    }

    /// <summary>
    /// The head's end with the connection's fate, as Kestrel writes it: <c>Connection: close</c> when the connection
    /// ends after this answer, and for HTTP/1.0 <c>Connection: keep-alive</c> when it does not.
    /// </summary>
    private void AppendConnection(LoopClient client) =>
        Append(client.CloseAfter ? "Connection: close\r\n\r\n"u8 : client.Http10 ? "Connection: keep-alive\r\n\r\n"u8 : "\r\n"u8);

    private void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_out.AsSpan(_outLength));
        _outLength += bytes.Length;
    }

    /// <summary>A field value alb took from the request or its settings (an echoed origin, a Location), one byte per character.</summary>
    private void Latin1(string text)
    {
        if (_outLength + text.Length + (16 * 1024) > _out.Length)
        {
            // A Location of a Host and target near the head limit (large-client-header-buffers): room for it and the rest.
            var bigger = GC.AllocateUninitializedArray<byte>(_outLength + text.Length + _out.Length);
            _out.AsSpan(0, _outLength).CopyTo(bigger);
            _out = bigger;
        }

        _outLength += Encoding.Latin1.GetBytes(text, _out.AsSpan(_outLength));
    }

    private void Number(long value)
    {
        Utf8Formatter.TryFormat(value, _out.AsSpan(_outLength), out var written);
        _outLength += written;
    }

    private void AppendDate()
    {
        var now = DateTime.UtcNow;
        var second = now.Ticks / TimeSpan.TicksPerSecond;
        if (second != _dateSecond)
        {
            _dateSecond = second;
            Encoding.ASCII.GetBytes(now.ToString("r", System.Globalization.CultureInfo.InvariantCulture), _date);
        }

        Append("Date: "u8);
        Append(_date);
        Append("\r\n"u8);
    }
}
