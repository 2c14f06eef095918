using System.Net;
using System.Net.Sockets;

namespace Alb.Proxy.Lean;

/// <summary>
/// The idle keep-alive connections to one endpoint (last in, first out, so the warmest is reused), at most
/// upstream-keepalive-connections of them. One older than upstream-keepalive-timeout, or readable while idle (the
/// backend closed it, or sent bytes no request asked for), is closed instead of reused. A closed pool (its endpoint
/// left the table) keeps nothing.
/// </summary>
internal sealed class LeanPool(EndPoint endPoint, LeanUpstream settings)
{
    private readonly Lock _lock = new();
    private readonly Stack<LeanConnection> _idle = new();
    private volatile bool _closed;

    public LeanUpstream Settings { get; } = settings;

    public bool Closed => _closed;

    /// <summary>An idle connection, or null when there is none (connect a new one).</summary>
    public LeanConnection? Rent(long now)
    {
        while (true)
        {
            LeanConnection? connection;
            lock (_lock)
            {
                if (!_idle.TryPop(out connection))
                {
                    return null;
                }
            }

            if (now - connection.LastUsed <= Settings.IdleTimeoutTicks && Usable(connection))
            {
                return connection;
            }

            connection.Dispose();
        }
    }

    public async ValueTask<LeanConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(endPoint.AddressFamily == AddressFamily.Unspecified ? AddressFamily.InterNetwork : endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Settings.ConnectTimeout);
            await socket.ConnectAsync(endPoint, timeout.Token).ConfigureAwait(false);
            return new LeanConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Takes back a connection whose last answer was read to its end and allowed keep-alive.</summary>
    public void Return(LeanConnection connection, long now)
    {
        connection.LastUsed = now;
        if (Settings.MaxIdle > 0 && (Settings.RequestsPerConnection == 0 || connection.Requests < Settings.RequestsPerConnection))
        {
            lock (_lock)
            {
                if (!_closed && _idle.Count < Settings.MaxIdle)
                {
                    _idle.Push(connection);
                    return;
                }
            }
        }

        connection.Dispose();
    }

    /// <summary>The sweep: closes the idle connections past the timeout or no longer usable; keeps the others in their order.</summary>
    public void CloseIdle(long now)
    {
        List<LeanConnection>? stale = null;
        lock (_lock)
        {
            if (_idle.Count == 0)
            {
                return;
            }

            var kept = _idle.ToArray(); // newest first
            _idle.Clear();
            for (var i = kept.Length - 1; i >= 0; i--)
            {
                var connection = kept[i];
                if (now - connection.LastUsed <= Settings.IdleTimeoutTicks && Usable(connection))
                {
                    _idle.Push(connection);
                }
                else
                {
                    (stale ??= []).Add(connection);
                }
            }
        }

        stale?.ForEach(c => c.Dispose());
    }

    /// <summary>The endpoint left the table: idle connections are closed now, busy ones when they are returned.</summary>
    public void Close()
    {
        LeanConnection[] idle;
        lock (_lock)
        {
            _closed = true;
            idle = _idle.ToArray();
            _idle.Clear();
        }

        foreach (var connection in idle)
        {
            connection.Dispose();
        }
    }

    /// <summary>An idle connection must have nothing to read: readable means the backend closed it or sent bytes unasked.</summary>
    private static bool Usable(LeanConnection connection)
    {
        try
        {
            return !connection.Socket.Poll(0, SelectMode.SelectRead);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    public static EndPoint Resolve(string authority) =>
        IPEndPoint.TryParse(authority, out var ip) ? ip
        : authority.LastIndexOf(':') is var colon and > 0 && int.TryParse(authority.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture, out var port)
            ? new DnsEndPoint(authority[..colon], port)
            : new DnsEndPoint(authority, 80);
}
