using System.Runtime.InteropServices;
using System.Text;

namespace LoopMin;

/// <summary>The answer's half: the origin's response head re-written, the body passed on, back-pressure on a slow client.</summary>
internal sealed unsafe partial class Loop
{
    private void Read(Upstream up)
    {
        var client = up.Owner;
        var offset = up.HeadDone ? 0 : up.HeadLength;
        nint n;
        fixed (byte* buffer = &up.Buffer[offset])
        {
            n = Native.recv(up.Fd, buffer, up.Buffer.Length - offset, 0);
        }

        if (n < 0 && Marshal.GetLastPInvokeError() == Native.EAgain)
        {
            return;
        }

        if (n <= 0 || client is null)
        {
            Drop(up); // closed by the origin (idle, or mid-response)
            if (client is not null)
            {
                Close(client);
            }

            return;
        }

        var data = up.Buffer.AsSpan(0, offset + (int)n);
        if (!up.HeadDone)
        {
            var end = data.IndexOf("\r\n\r\n"u8);
            if (end < 0)
            {
                up.HeadLength = data.Length;
                if (data.Length == up.Buffer.Length)
                {
                    Drop(up);
                    Refuse(client, BadGateway);
                }

                return;
            }

            var length = ContentLength(data[..(end + 2)]);
            if (length < 0)
            {
                Drop(up); // chunked or no length: not in this prototype
                Refuse(client, BadGateway);
                return;
            }

            up.HeadDone = true;
            up.Remaining = length - (data.Length - (end + 4));

            // The response head is rewritten, as a proxy must: hop-by-hop headers dropped, Connection for the
            // client's connection. It goes out in one send with the start of the body.
            var written = 0;
            var rest = data[..(end + 2)];
            while (rest.Length > 0)
            {
                var next = rest.IndexOf("\r\n"u8);
                var header = rest[..(next + 2)];
                rest = rest[(next + 2)..];
                var colon = header.IndexOf((byte)':');
                if (colon > 0 && (Ascii.EqualsIgnoreCase(header[..colon], "Connection"u8) || Ascii.EqualsIgnoreCase(header[..colon], "Keep-Alive"u8)))
                {
                    continue;
                }

                header.CopyTo(_out.AsSpan(written));
                written += header.Length;
            }

            var connection = client.CloseAfter ? "Connection: close\r\n\r\n"u8 : "Connection: keep-alive\r\n\r\n"u8;
            connection.CopyTo(_out.AsSpan(written));
            written += connection.Length;
            var body = data[(end + 4)..];
            body.CopyTo(_out.AsSpan(written));
            written += body.Length;
            data = _out.AsSpan(0, written);
        }
        else
        {
            up.Remaining -= data.Length;
        }

        if (!Send(client, data))
        {
            Native.Control(_epoll, Native.CtlMod, up.Fd, 0); // the client is slow: stop reading the origin
            return;
        }

        if (up.Remaining <= 0)
        {
            Finish(client, up);
        }
    }

    private static long ContentLength(ReadOnlySpan<byte> head)
    {
        var rest = head[(head.IndexOf("\r\n"u8) + 2)..];
        long length = -1;
        while (rest.Length > 0)
        {
            var next = rest.IndexOf("\r\n"u8);
            var header = rest[..next];
            rest = rest[(next + 2)..];
            var colon = header.IndexOf((byte)':');
            if (colon > 0 && Ascii.EqualsIgnoreCase(header[..colon], "Content-Length"u8))
            {
                length = long.Parse(Encoding.ASCII.GetString(header[(colon + 1)..].Trim((byte)' ')), System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (colon > 0 && Ascii.EqualsIgnoreCase(header[..colon], "Transfer-Encoding"u8))
            {
                return -1;
            }
        }

        return length;
    }

    /// <summary>Sends what the client's socket takes and keeps the rest; false when some is kept.</summary>
    private bool Send(Client client, ReadOnlySpan<byte> data)
    {
        if (client.Tls is { } tls)
        {
            if (tls.Write(data))
            {
                return true;
            }

            Native.Control(_epoll, Native.CtlMod, client.Fd, Native.EpollIn | Native.EpollOut);
            return false;
        }

        fixed (byte* buffer = data)
        {
            var sent = Native.send(client.Fd, buffer, data.Length, Native.MsgNoSignal);
            if (sent == data.Length)
            {
                return true;
            }

            sent = Math.Max(sent, 0);
            data[(int)sent..].CopyTo(client.Pending);
            client.PendingLength = data.Length - (int)sent;
            Native.Control(_epoll, Native.CtlMod, client.Fd, Native.EpollIn | Native.EpollOut);
            return false;
        }
    }

    private void Drain(Client client)
    {
        fixed (byte* buffer = client.Pending)
        {
            var sent = Native.send(client.Fd, buffer, client.PendingLength, Native.MsgNoSignal);
            if (sent < client.PendingLength)
            {
                sent = Math.Max(sent, 0);
                client.Pending.AsSpan((int)sent, client.PendingLength - (int)sent).CopyTo(client.Pending);
                client.PendingLength -= (int)sent;
                return;
            }
        }

        client.PendingLength = 0;
        Native.Control(_epoll, Native.CtlMod, client.Fd, Native.EpollIn);
        if (client.Up is { } up)
        {
            Native.Control(_epoll, Native.CtlMod, up.Fd, Native.EpollIn);
            if (up.Remaining <= 0)
            {
                Finish(client, up);
            }
        }
    }

    private void Finish(Client client, Upstream up)
    {
        up.Owner = null;
        _idle.Push(up);
        client.Up = null;
        if (client.CloseAfter)
        {
            Close(client);
        }
        else if (client.InLength > 0)
        {
            Start(client);
        }
    }
}
