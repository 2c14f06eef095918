// loop-min: the ceiling of an nginx-shaped HTTP/1.1 proxy written in .NET, for the load benchmark only.
//
// One thread, one epoll set, non-blocking sockets and the system calls nginx makes: accept4, recv, send, epoll_wait,
// and a pool of keep-alive upstream connections. No Kestrel, no thread pool, no async state machines, no TLS, no
// HTTP/2. It parses only what it must to forward GET requests with Content-Length responses (what the load benchmark
// sends) and refuses the rest. It is NOT a server to run anything behind: no limits beyond its buffers, no request
// smuggling defences, no timeouts. It answers one question for issue 15: how much of alb's CPU per request against
// nginx's is the runtime, and how much the shape of the request path (threads, hops, layers) that a server of alb's
// own would change.
//
//   loop-min HTTP_PORT TLS_PORT ORIGIN_HOST:PORT   (TLS_PORT is listened on and every connection closed)
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using LoopMin;

var http = int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture);
var tls = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
var origin = IPEndPoint.Parse(args[2]);
new Loop(http, tls, origin).Run();

namespace LoopMin
{
    internal static unsafe partial class Native
    {
        public const int EpollIn = 0x1, EpollOut = 0x4, EpollErr = 0x8, EpollHup = 0x10;
        public const int CtlAdd = 1, CtlDel = 2, CtlMod = 3;
        public const int EAgain = 11;
        public const int SockNonBlock = 0x800, MsgNoSignal = 0x4000;

        [LibraryImport("libc", SetLastError = true)]
        public static partial int epoll_create1(int flags);

        [LibraryImport("libc", SetLastError = true)]
        public static partial int epoll_ctl(int epfd, int op, int fd, EpollEvent* ev);

        [LibraryImport("libc", SetLastError = true)]
        public static partial int epoll_wait(int epfd, EpollEvent* events, int max, int timeout);

        [LibraryImport("libc", SetLastError = true)]
        public static partial int accept4(int fd, nint addr, nint len, int flags);

        [LibraryImport("libc", SetLastError = true)]
        public static partial nint recv(int fd, byte* buf, nint len, int flags);

        [LibraryImport("libc", SetLastError = true)]
        public static partial nint send(int fd, byte* buf, nint len, int flags);

        [LibraryImport("libc", SetLastError = true)]
        public static partial int close(int fd);

        [LibraryImport("libc", SetLastError = true)]
        public static partial int setsockopt(int fd, int level, int name, int* value, int len);

        public static void Control(int epfd, int op, int fd, int events)
        {
            var ev = new EpollEvent { Events = (uint)events, Data = (ulong)fd };
            if (epoll_ctl(epfd, op, fd, &ev) != 0)
            {
                throw new InvalidOperationException($"epoll_ctl({op}, {fd}): errno {Marshal.GetLastPInvokeError()}");
            }
        }
    }

    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    internal struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }

    internal sealed class Client
    {
        public int Fd;
        public readonly byte[] In = GC.AllocateArray<byte>(16 * 1024, pinned: true);
        public int InLength;
        public Upstream? Up;
        public bool CloseAfter;
        public byte[] Pending = GC.AllocateArray<byte>(80 * 1024, pinned: true); // what the client's socket did not take
        public int PendingLength;
    }

    internal sealed class Upstream(Socket socket)
    {
        public readonly Socket Socket = socket;
        public readonly int Fd = (int)socket.Handle;
        public readonly byte[] Buffer = GC.AllocateArray<byte>(64 * 1024, pinned: true);
        public int HeadLength; // bytes of the response head gathered so far, before its end is found
        public bool HeadDone;
        public long Remaining; // body bytes still to come
        public Client? Owner;
    }

    internal sealed unsafe class Loop(int httpPort, int tlsPort, IPEndPoint origin)
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
                        Accept(fd, serve: false);
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

        private void Accept(int listenFd, bool serve)
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
            }
        }

        private void Read(Client client)
        {
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

        private void Refuse(Client client, byte[] answer)
        {
            fixed (byte* buffer = answer)
            {
                Native.send(client.Fd, buffer, answer.Length, Native.MsgNoSignal);
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
}
