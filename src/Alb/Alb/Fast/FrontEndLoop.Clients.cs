using System.Buffers;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Alb.Core.Http1;

namespace Alb.Fast;

/// <summary>The clients' half: accept, read, parse, the hand-over to Kestrel, close.</summary>
internal sealed unsafe partial class FrontEndLoop
{
    private void Accept()
    {
        var address = stackalloc byte[128];
        for (var i = 0; i < 64; i++)
        {
            var length = 128;
            var fd = Native.accept4(_listenFd, address, &length, Native.SockNonBlock | Native.SockCloexec);
            if (fd < 0)
            {
                return; // EAGAIN: another loop took it, or none is left
            }

            Native.NoDelay(fd);
            if (_clients.Count >= MaxClients)
            {
                // Past the loop's share of the connection limit: Kestrel takes it unread, under its own limit.
                _metrics.FastHandOver("unread");
                Give(fd, [], 0, null);
                continue;
            }

            var client = _spareClients.Count > 0 ? _spareClients.Pop() : new LoopClient { LocalPort = LocalPort, Https = _https };
            client.Fd = fd;
            client.Peer = Native.Address(new ReadOnlySpan<byte>(address, length));
            client.Address = client.Peer?.Address is { IsIPv4MappedToIPv6: true } mapped ? mapped.MapToIPv4() : client.Peer?.Address;
            client.Deadline = Now + Ticks(_settings.HeaderTimeout);
            client.Events = Native.EpollIn;
            client.Slot = Register(client, fd, Native.EpollIn);
            if (client.Slot < 0)
            {
                Native.close(fd);
                continue;
            }

            client.Index = _clients.Count;
            _clients.Add(client);
            Volatile.Write(ref _clientCount, _clients.Count);
            _connections.Inc();
            if (_https)
            {
                AwaitHello(client);
            }
        }
    }

    public int LocalPort { get; init; }

    /// <summary>Connections this loop holds at most (its share of Kestrel's 100,000); past it, new ones go to Kestrel unread.</summary>
    public int MaxClients { get; init; } = 100_000;

    private void OnClient(LoopClient client, uint events)
    {
        if ((events & Native.EpollOut) != 0 && client.OutLength > 0)
        {
            Drain(client);
            if (_slots[client.Slot] != client)
            {
                return;
            }
        }

        if (client.InFlight)
        {
            if ((events & (Native.EpollErr | Native.EpollHup)) != 0)
            {
                Close(client, reset: true); // the client went away mid-exchange
            }

            if ((events & Native.EpollIn) != 0 && client.OutLength == 0)
            {
                Interest(client, 0); // more from the client (a pipelined request): read once this answer is done
            }

            return; // nothing is read while a request is in flight: its answer comes first
        }

        if ((events & (Native.EpollIn | Native.EpollHup | Native.EpollErr)) != 0)
        {
            Read(client);
        }
    }

    private void Read(LoopClient client)
    {
        if (client.Lingering)
        {
            client.InLength = 0;
        }
        else if (client.Tls is { } tls)
        {
            ReadTls(client, tls);
            return;
        }
        else if (client.Https)
        {
            ReadHello(client);
            return;
        }

        var n = Receive(client);
        if (n <= 0 || client.Lingering)
        {
            return; // dropped: the connection is closing
        }

        if (client.InLength == 0)
        {
            client.Deadline = Now + Ticks(_settings.HeaderTimeout); // the head's time starts with its first byte
        }

        client.InLength += n;
        Process(client);
    }

    /// <summary>
    /// recv()s into the client's input buffer after what it holds (made room for first): the bytes read, not yet
    /// counted in InLength; 0 when none were waiting, or the buffer was handed over full; -1 when the client closed
    /// (or reset) the connection, which is closed here.
    /// </summary>
    private int Receive(LoopClient client) => Room(client) ? ReceiveInto(client, client.In.AsSpan(client.InLength)) : 0;

    /// <summary>recv() into <paramref name="into"/>: the bytes read; 0 when none were waiting; -1 when the client closed (it is closed here).</summary>
    private int ReceiveInto(LoopClient client, Span<byte> into)
    {
        nint n;
        fixed (byte* buffer = into)
        {
            n = Native.recv(client.Fd, buffer, into.Length, 0);
        }

        if (n < 0 && Marshal.GetLastPInvokeError() == Native.EAgain)
        {
            return 0;
        }

        if (n <= 0)
        {
            Close(client, reset: false);
            return -1;
        }

        return (int)n;
    }

    /// <summary>
    /// Room in the client's input buffer for more of a request: the buffer is taken from the pool, or a bigger one when
    /// the head (or a head and its body) is longer, up to the limit. Past the head's, the connection is handed over
    /// (Kestrel answers 431) and false returned.
    /// </summary>
    private bool Room(LoopClient client)
    {
        if (client.In.Length == 0)
        {
            client.In = ArrayPool<byte>.Shared.Rent(FirstBufferBytes); // held only while a request is read or served
        }
        else if (client.InLength == client.In.Length)
        {
            if (client.In.Length >= Math.Max(_settings.Limits.MaxHeadBytes + _settings.Limits.MaxLineBytes, client.AwaitedBytes))
            {
                HandOver(client, nameof(HeadError.TooLarge));
                return false;
            }

            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(client.In.Length * 2, client.AwaitedBytes));
            client.In.AsSpan(0, client.InLength).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(client.In);
            client.In = bigger;
        }

        return true;
    }

    /// <summary>Parses the request at the start of the client's buffer: serves it, hands it over, or waits for more.</summary>
    private void Process(LoopClient client)
    {
        if (client.InLength == 0)
        {
            // Idle between requests: the buffer goes back to the pool (10,000 idle keep-alive clients hold none).
            client.ReleaseInput();
            client.Deadline = Now + Ticks(_settings.KeepAliveTimeout);
            return;
        }

        if (client.InLength < client.AwaitedBytes)
        {
            client.Deadline = Now + client.BodyTimeoutTicks; // a body still coming: its head was taken apart once already
            return;
        }

        var verdict = RequestHeadParser.TryParse(client.In.AsSpan(0, client.InLength), client.Head, _settings.Limits);
        if (verdict == HeadError.Incomplete)
        {
            if (client.Deadline == 0)
            {
                client.Deadline = Now + Ticks(_settings.HeaderTimeout); // a pipelined head's start came with the last answer
            }

            return;
        }

        if (verdict != HeadError.None)
        {
            HandOver(client, verdict.ToString()); // Kestrel gives the answer it always gave
            return;
        }

        if (TryServe(client) is { } reason && !ReferenceEquals(reason, AwaitingBody))
        {
            HandOver(client, reason);
        }
    }

    /// <summary>
    /// Gives the connection to Kestrel with what was read of it, at a request's start: Kestrel serves it from there,
    /// through the general path, counting keep-alive requests on from the loop's count.
    /// </summary>
    private void HandOver(LoopClient client, string reason)
    {
        _metrics.FastHandOver(reason);
        Native.Control(_epoll, Native.CtlDel, client.Fd, 0);
        var bytes = client.In.AsSpan(0, client.InLength).ToArray();
        var (fd, requests, tls) = (client.Fd, client.Requests, client.Tls);
        client.Tls = null; // Kestrel's now: what SslStream writes from here goes to the socket itself
        Forget(client);
        Give(fd, bytes, requests, tls);
    }

    /// <summary>The connection to Kestrel: raw, or (TLS) decrypted through its SslStream, the plaintext already read first.</summary>
    private void Give(int fd, byte[] alreadyRead, int requests, LoopTls? tls) =>
        _handOver(new Socket(new SafeSocketHandle(fd, ownsHandle: true)), alreadyRead, requests, tls);

    /// <summary>Closes idle clients when the loop stops; those in flight close after their answer.</summary>
    private void CloseIdleClients()
    {
        foreach (var client in _clients.ToArray())
        {
            if (client.InFlight)
            {
                client.CloseAfter = true;
            }
            else
            {
                Close(client, reset: false);
            }
        }
    }

    private void Close(LoopClient client, bool reset)
    {
        if (_slots[client.Slot] != client)
        {
            return;
        }

        if (client.Up is { } up)
        {
            Drop(up); // mid-exchange: the backend connection cannot carry another request
        }

        if (client.InFlight && !client.Recorded)
        {
            // Recorded as the general path records it: the backend's status once the answer started, else 502.
            client.Status = client.AnswerStarted ? client.Status : 502;
            Record(client);
        }

        var fd = client.Fd;
        client.Tls?.Close(notify: !reset); // close_notify while the client is still this connection's
        Forget(client);
        if (reset)
        {
            Native.Reset(fd);
        }
        else
        {
            Native.close(fd); // also leaves the epoll set
        }
    }

    /// <summary>Removes the client from the loop without closing its socket.</summary>
    private void Forget(LoopClient client)
    {
        Release(client.Slot);
        var last = _clients[^1];
        _clients[client.Index] = last;
        last.Index = client.Index;
        _clients.RemoveAt(_clients.Count - 1);
        Volatile.Write(ref _clientCount, _clients.Count);
        client.Reset();
        _connections.Dec();
        if (_spareClients.Count < 1024)
        {
            _spareClients.Push(client);
        }
    }
}
