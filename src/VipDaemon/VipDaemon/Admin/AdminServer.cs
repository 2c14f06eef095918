using System.Net;
using System.Net.Sockets;
using VipDaemon.Core.Admin;

namespace VipDaemon.Admin;

/// <summary>Bounds on what one admin client can hold.</summary>
/// <param name="MaxHeadBytes">A request head larger than this is answered 431.</param>
/// <param name="Timeout">The whole exchange (head read and response written); a slower client is answered 408 and closed.</param>
/// <param name="MaxConnections">Connections beyond this many at once are closed without an answer.</param>
internal sealed record AdminLimits(int MaxHeadBytes, TimeSpan Timeout, int MaxConnections)
{
    public static readonly AdminLimits Default = new(8 * 1024, TimeSpan.FromSeconds(5), 16);
}

/// <summary>
/// vipd's admin endpoint: HTTP/1.1 on a plain socket, one request per connection, GET and HEAD only, bounded as
/// <see cref="AdminLimits"/> says. Parsing is <see cref="RequestHead"/>'s; answers are <see cref="AdminEndpoints"/>'.
/// It replaced ASP.NET Core (Kestrel): the Native AOT executable went from 13.9 to about 9.5 MB and idle RSS from 22 to
/// about 13.5 MiB (docs/vipd.md#footprint), and nothing wakes it while nobody asks.
/// </summary>
internal sealed partial class AdminServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly AdminEndpoints _endpoints;
    private readonly AdminLimits _limits;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;
    private int _connections;
    private int _saturated;

    private AdminServer(Socket listener, AdminEndpoints endpoints, AdminLimits limits, TimeProvider time, ILogger logger)
    {
        _listener = listener;
        _endpoints = endpoints;
        _limits = limits;
        _time = time;
        _logger = logger;
        _accepting = Task.Run(AcceptAsync);
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>Binds and listens on <paramref name="endpoint"/> (a <see cref="SocketException"/> if it cannot), then serves.</summary>
    public static AdminServer Start(IPEndPoint endpoint, AdminEndpoints endpoints, AdminLimits limits, TimeProvider time, ILogger logger)
    {
        var listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                listener.DualMode = true;
            }

            listener.Bind(endpoint);
            listener.Listen(64);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        return new AdminServer(listener, endpoints, limits, time, logger);
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // A connection reset before it was accepted, or out of descriptors: keep listening, but not in a tight loop.
                LogAcceptFailed(_logger, e.SocketErrorCode);
                await Task.Delay(TimeSpan.FromMilliseconds(100), _time, CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            if (Interlocked.Increment(ref _connections) > _limits.MaxConnections)
            {
                Interlocked.Decrement(ref _connections);
                if (Interlocked.Exchange(ref _saturated, 1) == 0)
                {
                    LogTooManyConnections(_logger, _limits.MaxConnections); // once until a connection ends: a flood is one line
                }

                client.Dispose();
                continue;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        try
        {
            using (client)
            {
                AdminResponse? response;
                bool headOnly;
                using (var reading = Deadline())
                {
                    (response, headOnly) = await ReadAndAnswerAsync(client, reading.Token).ConfigureAwait(false);
                }

                if (response is not null)
                {
                    // A fresh deadline: a 408 must still be sent after the first one has passed.
                    using var writing = Deadline();
                    await client.SendAsync(response.Serialize(headOnly), SocketFlags.None, writing.Token).ConfigureAwait(false);
                    client.Shutdown(SocketShutdown.Send);
                    await DrainAsync(client, writing.Token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The client went away or ran out of time after its answer was decided: nothing more to say to it.
        }
        catch (Exception e)
        {
            LogServeFailed(_logger, e); // a bug, not the client's doing; the connection is closed, the daemon goes on
        }
        finally
        {
            if (Interlocked.Decrement(ref _connections) < _limits.MaxConnections)
            {
                Volatile.Write(ref _saturated, 0);
            }
        }
    }

    private CancellationTokenSource Deadline() => new(_limits.Timeout, _time);

    /// <summary>Reads one request head within the limits and decides the answer; null when the client closed first.</summary>
    private async Task<(AdminResponse? Response, bool HeadOnly)> ReadAndAnswerAsync(Socket client, CancellationToken cancellationToken)
    {
        var buffer = new byte[_limits.MaxHeadBytes];
        var (filled, searched) = (0, 0);
        int end;
        try
        {
            while ((end = RequestHead.FindEnd(buffer.AsSpan(0, filled), searched)) < 0)
            {
                searched = filled;
                if (filled == buffer.Length)
                {
                    return (AdminResponse.Text(431, $"the request head is larger than {_limits.MaxHeadBytes} bytes\n"), false);
                }

                var read = await client.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return (null, false);
                }

                filled += read;
            }
        }
        catch (OperationCanceledException)
        {
            return (AdminResponse.Text(408, "the request head did not arrive in time\n"), false);
        }

        if (!RequestHead.TryParse(buffer.AsSpan(0, end), out var request, out var error))
        {
            return (AdminResponse.Text(400, $"bad request: {error}\n"), false);
        }

        var headOnly = request.Method == "HEAD";
        if (request.Method != "GET" && !headOnly)
        {
            return (AdminResponse.Text(405, "only GET and HEAD are served here\n"), false);
        }

        return (await _endpoints.AnswerAsync(request, cancellationToken).ConfigureAwait(false), headOnly);
    }

    /// <summary>
    /// After the answer, reads (and drops) what the client still sends until it closes, at most one head's worth, so the
    /// close does not reset the connection before the client has read the answer.
    /// </summary>
    private async Task DrainAsync(Socket client, CancellationToken cancellationToken)
    {
        var buffer = new byte[1024];
        var left = _limits.MaxHeadBytes;
        int read;
        while (left > 0 && (read = await client.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false)) > 0)
        {
            left -= read;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _accepting.ConfigureAwait(false);
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "Admin endpoint: accepting a connection failed ({Error})")]
    private static partial void LogAcceptFailed(ILogger logger, SocketError error);

    [LoggerMessage(EventId = 22, Level = LogLevel.Error, Message = "Admin endpoint: answering a request failed")]
    private static partial void LogServeFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "Admin endpoint: more than {Limit} connections at once; a new one was closed unanswered")]
    private static partial void LogTooManyConnections(ILogger logger, int limit);
}
