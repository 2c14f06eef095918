using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Alb.Core.Http1;
using Alb.Observability;
using Alb.Proxy;
using Prometheus;

namespace Alb.Fast;

/// <summary>The settings the loops take at start, the same Kestrel is given (client-header-timeout, keep-alive, large-client-header-buffers).</summary>
/// <param name="ShutdownTimeout">How long a stopping alb waits for the loops' requests in flight (--shutdown-timeout).</param>
internal sealed record LoopSettings(TimeSpan HeaderTimeout, TimeSpan KeepAliveTimeout, RequestLimits Limits, TimeSpan ShutdownTimeout = default)
{
    /// <summary>How long a client may leave an answer unread before the connection is dropped (nginx's send_timeout).</summary>
    public static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(60);
}

/// <summary>
/// One of the front end's event loops (one per core): a thread, an epoll set, the client connections it accepted and
/// the backend connections it opened, none shared with another loop, so nothing is locked. A request it can serve
/// (see <see cref="TryServe"/>) is forwarded here with non-blocking system calls; any other goes, with its
/// connection and the bytes already read, to Kestrel (<see cref="HandOver"/>) at the request's start.
/// </summary>
internal sealed unsafe partial class FrontEndLoop
{
    private const int MaxEvents = 128;
    private const int FirstBufferBytes = 16 * 1024;
    private static readonly long Frequency = Stopwatch.Frequency;

    private readonly int _epoll;
    private readonly int _listenFd;
    private readonly LoopSettings _settings;
    private readonly ConfigPublisher _publisher;
    private readonly AccessLog _accessLog;
    private readonly AlbMetrics _metrics;
    private readonly Gauge.Child _connections;
    private readonly Action<Socket, byte[], int, LoopTls?> _handOver;
    private readonly bool _https;
    private readonly ILogger _logger;
    private readonly List<object?> _slots = [];
    private readonly Stack<int> _freeSlots = new();
    private readonly List<int> _freedThisRound = [];
    private readonly List<LoopClient> _clients = [];

    /// <summary>Client objects of closed connections, reused (their parsed-head storage with them).</summary>
    private readonly Stack<LoopClient> _spareClients = new();
    private readonly Dictionary<EndpointState, List<LoopUpstream>> _idle = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<EndpointState, System.Net.IPEndPoint?> _addresses = new(ReferenceEqualityComparer.Instance);
    private readonly Thread _thread;
    private volatile bool _stopping;
    private volatile bool _stopped;
    private long _nextSweep;
    private int _clientCount;

    /// <param name="handOver">Gives Kestrel a connection: its socket, the bytes read off it (plaintext), the requests it carried, its TLS.</param>
    /// <param name="https">The HTTPS listener's loop: every client's TLS is done here (<see cref="LoopTls"/>).</param>
    public FrontEndLoop(int index, int listenFd, LoopSettings settings, ConfigPublisher publisher, AccessLog accessLog, AlbMetrics metrics, ILogger logger, Action<Socket, byte[], int, LoopTls?> handOver, bool https = false)
    {
        _listenFd = listenFd;
        _settings = settings;
        _publisher = publisher;
        _accessLog = accessLog;
        _metrics = metrics;
        _https = https;
        _connections = metrics.ActiveConnections.WithLabels(https ? "https" : "http");
        _logger = logger;
        _handOver = handOver;
        _epoll = Native.epoll_create1(0x80000); // EPOLL_CLOEXEC
        if (_epoll < 0)
        {
            throw new InvalidOperationException($"epoll_create1: errno {Marshal.GetLastPInvokeError()}");
        }

        _slots.Add(null); // slot 0: the listening socket
        // EPOLLEXCLUSIVE: a new connection wakes one loop, not all of them.
        if (!Native.Control(_epoll, Native.CtlAdd, listenFd, Native.EpollIn | Native.EpollExclusive))
        {
            throw new InvalidOperationException($"epoll_ctl(listener): errno {Marshal.GetLastPInvokeError()}");
        }

        _accessRequest = NewAccessRequest();
        OpenInbox();
        _thread = new Thread(Run) { IsBackground = true, Name = https ? $"alb tls loop {index}" : $"alb loop {index}" };
    }

    public void Start() => _thread.Start();

    /// <summary>Stops accepting; idle connections close, a request in flight finishes with <c>Connection: close</c>.</summary>
    public void Stop() => _stopping = true;

    /// <summary>Whether the loop holds no client connection (read from another thread while stopping).</summary>
    public bool Drained => Volatile.Read(ref _clientCount) == 0;

    /// <summary>Ends the thread and closes every connection it still holds.</summary>
    public void Join()
    {
        _stopping = _stopped = true;
        _thread.Join(TimeSpan.FromSeconds(5));
    }

    private static long Now => Stopwatch.GetTimestamp();

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Frequency);

    private void Run()
    {
        var events = stackalloc EpollEvent[MaxEvents];
        var listening = true;
        while (!_stopped)
        {
            if (_stopping && listening)
            {
                listening = false;
                Native.Control(_epoll, Native.CtlDel, _listenFd, 0);
                CloseIdleClients();
            }

            var n = Native.epoll_wait(_epoll, events, MaxEvents, _clients.Count > 0 || _idle.Count > 0 ? 100 : 1000);
            if (n < 0 && Marshal.GetLastPInvokeError() != Native.EIntr)
            {
                Log.LoopFailed(_logger, $"epoll_wait: errno {Marshal.GetLastPInvokeError()}");
                break;
            }

            for (var i = 0; i < n; i++)
            {
                Dispatch((int)events[i].Data, events[i].Events);
            }

            foreach (var slot in _freedThisRound)
            {
                _freeSlots.Push(slot); // only now: an event later in the same batch may still name the slot
            }

            _freedThisRound.Clear();
            var now = Now;
            if (now >= _nextSweep)
            {
                _nextSweep = now + (Frequency / 10);
                Sweep(now);
            }
        }

        foreach (var client in _clients.ToArray())
        {
            Close(client, reset: client.InFlight);
        }

        foreach (var idle in _idle.Values)
        {
            idle.ForEach(up => up.Socket.Dispose());
        }

        ReleaseInbox();
        Native.close(_epoll);
    }

    private void Dispatch(int slot, uint events)
    {
        try
        {
            if (slot == 0)
            {
                Accept();
                return;
            }

            switch (_slots[slot])
            {
                case LoopClient client:
                    OnClient(client, events);
                    break;
                case LoopUpstream up:
                    OnUpstream(up, events);
                    break;
                case Inbox:
                    DrainInbox();
                    break;
            }
        }
        catch (Exception e)
        {
            // A bug must cost one connection, never the loop: the others go on.
            Log.LoopFailed(_logger, e.ToString());
            switch (_slots[slot])
            {
                case LoopClient client:
                    Close(client, reset: true);
                    break;
                case LoopUpstream { Owner: { } owner }:
                    Close(owner, reset: true);
                    break;
                case LoopUpstream up:
                    Drop(up);
                    break;
            }
        }
    }

    private int Register(object owner, int fd, uint events)
    {
        int slot;
        if (_freeSlots.Count > 0)
        {
            slot = _freeSlots.Pop();
            _slots[slot] = owner;
        }
        else
        {
            slot = _slots.Count;
            _slots.Add(owner);
        }

        // epoll's data is the slot, not the fd: a closed fd's number can come back at once for another socket.
        if (!Native.Control(_epoll, Native.CtlAdd, fd, events, (ulong)slot))
        {
            _slots[slot] = null;
            _freeSlots.Push(slot);
            return -1;
        }

        return slot;
    }

    /// <summary>Changes what a socket is watched for; nothing when it already is (an epoll_ctl saved per request).</summary>
    private void Interest(LoopClient client, uint events) => Watch(ref client.Events, client.Fd, client.Slot, events);

    private void Interest(LoopUpstream up, uint events) => Watch(ref up.Events, up.Fd, up.Slot, events);

    private void Watch(ref uint current, int fd, int slot, uint events)
    {
        if (current != events)
        {
            current = events;
            Native.Control(_epoll, Native.CtlMod, fd, events, (ulong)slot);
        }
    }

    private void Release(int slot)
    {
        _slots[slot] = null;
        _freedThisRound.Add(slot);
    }

    /// <summary>Timers: a client past its header, keep-alive or send timeout; a backend past its connect or read timeout; idle backend connections past upstream-keepalive-timeout.</summary>
    private void Sweep(long now)
    {
        for (var i = _clients.Count - 1; i >= 0; i--)
        {
            if (i >= _clients.Count)
            {
                continue;
            }

            var client = _clients[i];
            if (client.Up is { } up && up.Deadline != 0 && now >= up.Deadline)
            {
                UpstreamTimedOut(client, up);
            }
            else if (client.Deadline != 0 && now >= client.Deadline && !client.InFlight && client.AwaitedBytes > 0)
            {
                HandOver(client, "body"); // client-body-timeout: the general path answers it (408) as it always has
            }
            else if (client.Deadline != 0 && now >= client.Deadline && (!client.InFlight || client.OutLength > 0))
            {
                Close(client, reset: client.InFlight);
            }
        }

        if (_idle.Count > 0)
        {
            SweepIdle(now);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 300, Level = LogLevel.Error, Message = "The front end's loop failed: {Reason}")]
        public static partial void LoopFailed(ILogger logger, string reason);

        [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "Upstream {Backend} at {Endpoint} failed: {Error} {Reason}")]
        public static partial void UpstreamFailed(ILogger logger, string backend, string endpoint, string error, string reason);
    }
}
