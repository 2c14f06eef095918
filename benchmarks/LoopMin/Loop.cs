using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace LoopMin;

/// <summary>The one thread: epoll, the clients, the origin connections.</summary>
internal sealed unsafe partial class Loop(int httpPort, int tlsPort, IPEndPoint origin, System.Net.Security.SslStreamCertificateContext? certificate)
{
    private static readonly byte[] Forwarded = "X-Real-IP: 127.0.0.1\r\nX-Forwarded-For: 127.0.0.1\r\nX-Forwarded-Proto: http\r\nConnection: keep-alive\r\n\r\n"u8.ToArray();
    private static readonly byte[] BadRequest = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray();
    private static readonly byte[] BadGateway = "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray();
    private readonly object?[] _byFd = new object?[1 << 20];
    private readonly Stack<Upstream> _idle = new();
    private readonly Stack<Client> _freeClients = new();
    private readonly byte[] _head = GC.AllocateArray<byte>(20 * 1024, pinned: true);
    private readonly byte[] _out = GC.AllocateArray<byte>(80 * 1024, pinned: true);
    private readonly Dictionary<string, IPEndPoint> _routes = new(StringComparer.OrdinalIgnoreCase);
    private readonly byte[] _cipher = GC.AllocateArray<byte>(32 * 1024, pinned: true);
    private Func<Client, bool>? _plaintext;
    private int _epoll;

    public void Run()
    {
        using var listener = Listen(httpPort);
        using var tlsListener = Listen(tlsPort);
        _epoll = Native.epoll_create1(0);
        Native.Control(_epoll, Native.CtlAdd, (int)listener.Handle, Native.EpollIn);
        Native.Control(_epoll, Native.CtlAdd, (int)tlsListener.Handle, Native.EpollIn);
        var events = stackalloc EpollEvent[256];
        while (true)
        {
            var n = Native.epoll_wait(_epoll, events, 256, -1);
            for (var i = 0; i < n; i++)
            {
                var fd = (int)events[i].Data;
                var flags = (int)events[i].Events;
                if (fd == (int)listener.Handle)
                {
                    Accept(fd, serve: true);
                }
                else if (fd == (int)tlsListener.Handle)
                {
                    Accept(fd, serve: certificate is not null, tls: true);
                }
                else if (_byFd[fd] is Client client)
                {
                    if ((flags & Native.EpollOut) != 0)
                    {
                        Drain(client);
                    }

                    if ((flags & (Native.EpollIn | Native.EpollHup | Native.EpollErr)) != 0 && _byFd[fd] == client)
                    {
                        Read(client);
                    }
                }
                else if (_byFd[fd] is Upstream up)
                {
                    Read(up);
                }
            }
        }
    }

    private static Socket Listen(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
        socket.Listen(4096);
        socket.Blocking = false;
        return socket;
    }

    private void Accept(int listenFd, bool serve, bool tls = false)
    {
        while (true)
        {
            var fd = Native.accept4(listenFd, 0, 0, Native.SockNonBlock);
            if (fd < 0)
            {
                return;
            }

            if (!serve)
            {
                Native.close(fd);
                continue;
            }

            var one = 1;
            Native.setsockopt(fd, 6, 1, &one, sizeof(int)); // TCP_NODELAY
            var client = _freeClients.Count > 0 ? _freeClients.Pop() : new Client(); // buffers reused, as nginx pools them
            client.Fd = fd;
            client.InLength = 0;
            client.PendingLength = 0;
            client.CloseAfter = false;
            _byFd[fd] = client;
            Native.Control(_epoll, Native.CtlAdd, fd, Native.EpollIn);
            if (tls)
            {
                client.Tls = new TlsSession(client, certificate!) { Plaintext = _plaintext ??= Plaintext };
            }
        }
    }

    private void Read(Client client)
    {
        if (client.Tls is { } tls)
        {
            ReadCipher(client, tls);
            return;
        }

        if (client.InLength == client.In.Length)
        {
            return; // a request is in flight and the buffer is full: read more once it is done
        }

        fixed (byte* buffer = &client.In[client.InLength])
        {
            var n = Native.recv(client.Fd, buffer, client.In.Length - client.InLength, 0);
            if (n == 0 || (n < 0 && Marshal.GetLastPInvokeError() != Native.EAgain))
            {
                Close(client);
                return;
            }

            if (n < 0)
            {
                return;
            }

            client.InLength += (int)n;
        }

        if (client.Up is null)
        {
            Start(client);
        }
    }

    private void ReadCipher(Client client, TlsSession tls)
    {
        nint n;
        fixed (byte* buffer = _cipher)
        {
            n = Native.recv(client.Fd, buffer, _cipher.Length, 0);
        }

        if (n < 0 && Marshal.GetLastPInvokeError() == Native.EAgain)
        {
            return;
        }

        if (n <= 0 || !tls.Feed(_cipher.AsSpan(0, (int)n)))
        {
            Close(client);
            return;
        }

        if (client.PendingLength > 0)
        {
            Native.Control(_epoll, Native.CtlMod, client.Fd, Native.EpollIn | Native.EpollOut); // the handshake's answer waits
        }
    }

    /// <summary>Plaintext arrived on a TLS connection (null: it ended): start its request unless one is in flight.</summary>
    private bool Plaintext(Client client)
    {
        if (client is null)
        {
            return false;
        }

        if (client.Up is null && _byFd[client.Fd] == client)
        {
            Start(client);
        }

        return _byFd[client.Fd] == client;
    }

    /// <summary>Forwards the request at the start of the client's buffer, if its head is complete.</summary>
    private void Start(Client client)
    {
        var input = client.In.AsSpan(0, client.InLength);
        var end = input.IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            if (client.InLength == client.In.Length)
            {
                Refuse(client, BadRequest);
            }

            return;
        }

        var head = input[..(end + 2)];
        var lineEnd = head.IndexOf("\r\n"u8);
        var line = head[..lineEnd];
        if (!line.StartsWith("GET "u8) || !line.EndsWith(" HTTP/1.1"u8))
        {
            Refuse(client, BadRequest);
            return;
        }

        // The upstream head: the request line, the client's headers but Connection, then the forwarded ones.
        var written = 0;
        line.CopyTo(_head);
        written += line.Length;
        _head[written++] = (byte)'\r';
        _head[written++] = (byte)'\n';
        var host = "";
        var rest = head[(lineEnd + 2)..];
        while (rest.Length > 0)
        {
            var next = rest.IndexOf("\r\n"u8);
            var header = rest[..next];
            rest = rest[(next + 2)..];
            var colon = header.IndexOf((byte)':');
            if (colon <= 0)
            {
                Refuse(client, BadRequest);
                return;
            }

            var name = header[..colon];
            var value = header[(colon + 1)..].Trim((byte)' ');
            if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                client.CloseAfter = Ascii.EqualsIgnoreCase(value, "close"u8);
                continue;
            }

            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8) || Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                Refuse(client, BadRequest); // no request bodies here
                return;
            }

            if (Ascii.EqualsIgnoreCase(name, "Host"u8))
            {
                host = Encoding.ASCII.GetString(value);
            }

            header.CopyTo(_head.AsSpan(written));
            written += header.Length;
            _head[written++] = (byte)'\r';
            _head[written++] = (byte)'\n';
        }

        Forwarded.CopyTo(_head, written);
        written += Forwarded.Length;
        _ = _routes.TryGetValue(host, out _); // where a route table would be consulted

        // The head is consumed; what follows (a pipelined request) stays for the next round.
        var used = end + 4;
        client.In.AsSpan(used, client.InLength - used).CopyTo(client.In);
        client.InLength -= used;

        var up = _idle.Count > 0 ? _idle.Pop() : Connect();
        up.Owner = client;
        up.HeadDone = false;
        up.HeadLength = 0;
        client.Up = up;
        fixed (byte* buffer = _head)
        {
            if (Native.send(up.Fd, buffer, written, Native.MsgNoSignal) != written)
            {
                Drop(up);
                Refuse(client, BadGateway);
            }
        }
    }

    private Upstream Connect()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(origin);
        socket.Blocking = false;
        var up = new Upstream(socket);
        _byFd[up.Fd] = up;
        Native.Control(_epoll, Native.CtlAdd, up.Fd, Native.EpollIn);
        return up;
    }

    private void Refuse(Client client, byte[] answer)
    {
        if (client.Tls is { } tls)
        {
            tls.Write(answer);
        }
        else
        {
            fixed (byte* buffer = answer)
            {
                Native.send(client.Fd, buffer, answer.Length, Native.MsgNoSignal);
            }
        }

        Close(client);
    }

    private void Close(Client client)
    {
        if (client.Up is { } up)
        {
            Drop(up); // mid-response: the origin connection cannot be reused
        }

        _byFd[client.Fd] = null;
        Native.close(client.Fd); // also leaves the epoll set
        if (client.Tls is not null)
        {
            client.Tls = null; // its SslStream is dropped with it (the socket is closed already)
            return;
        }

        _freeClients.Push(client);
    }

    private void Drop(Upstream up)
    {
        if (up.Owner is { } owner)
        {
            owner.Up = null;
        }

        up.Owner = null;
        _byFd[up.Fd] = null;
        if (_idle.Contains(up))
        {
            var kept = _idle.Where(u => u != up).ToList();
            _idle.Clear();
            kept.ForEach(_idle.Push);
        }

        up.Socket.Dispose();
    }
}
