using System.Net;
using System.Net.Sockets;

namespace Alb.Proxy.Lean;

/// <summary>
/// The idle keep-alive connections to one endpoint (last in, first out, so the warmest is reused), at most
/// upstream-keepalive-connections of them; one older than upstream-keepalive-timeout is closed instead of reused.
/// </summary>
internal sealed class LeanPool(EndPoint endPoint, LeanUpstream settings)
{
    private readonly Lock _lock = new();
    private readonly Stack<LeanConnection> _idle = new();

    public LeanUpstream Settings { get; } = settings;

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

            if (now - connection.LastUsed <= Settings.IdleTimeoutTicks)
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
                if (_idle.Count < Settings.MaxIdle)
                {
                    _idle.Push(connection);
                    return;
                }
            }
        }

        connection.Dispose();
    }

    public static EndPoint Resolve(string authority) =>
        IPEndPoint.TryParse(authority, out var ip) ? ip
        : authority.LastIndexOf(':') is var colon and > 0 && int.TryParse(authority.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture, out var port)
            ? new DnsEndPoint(authority[..colon], port)
            : new DnsEndPoint(authority, 80);
}
