using System.Buffers;
using System.Net.Sockets;
using Alb.Core.Tls;
using Alb.Proxy;
using Microsoft.AspNetCore.Connections;

namespace Alb.Tls;

/// <summary>
/// ssl-passthrough on the HTTPS listener (with <c>--enable-ssl-passthrough</c>): the first bytes of each connection
/// are peeked, not consumed; when the ClientHello names a passthrough host, the untouched bytes and everything after
/// are spliced to an endpoint of that host's backend; otherwise alb's own TLS reads them as if nothing happened.
/// Bounded: 16 KiB and 10 s to see the ClientHello.
/// </summary>
internal sealed partial class SslPassthrough(ConfigPublisher publisher, TimeProvider time, ILogger<SslPassthrough> logger)
{
    private static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(10);

    public async Task InvokeAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var state = publisher.Current;
        if (state is null || state.Passthrough.Count == 0)
        {
            await next(connection).ConfigureAwait(false);
            return;
        }

        var input = connection.Transport.Input;
        string? serverName = null;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed))
        {
            timeout.CancelAfter(HelloTimeout);
            try
            {
                while (true)
                {
                    var result = await input.ReadAsync(timeout.Token).ConfigureAwait(false);
                    var buffer = result.Buffer;
                    var outcome = buffer.IsSingleSegment
                        ? ClientHello.TryReadServerName(buffer.FirstSpan, out serverName)
                        : ClientHello.TryReadServerName(buffer.ToArray(), out serverName);
                    if (outcome == ClientHelloResult.NeedMore && !result.IsCompleted && buffer.Length < ClientHello.MaxHello + 1024)
                    {
                        input.AdvanceTo(buffer.Start, buffer.End); // nothing consumed; wait for more
                        continue;
                    }

                    input.AdvanceTo(buffer.Start); // nothing consumed, nothing examined: the next reader sees it all
                    break;
                }
            }
            catch (OperationCanceledException)
            {
                return; // no ClientHello in time: close, as the TLS handshake timeout would
            }
        }

        if (serverName is null || !state.Passthrough.TryGetValue(serverName, out var pool) || pool.Endpoints.Length == 0)
        {
            await next(connection).ConfigureAwait(false);
            return;
        }

        var endpoint = pool.Pick(time.GetTimestamp())!;
        var colon = endpoint.Authority.LastIndexOf(':');
        var host = endpoint.Authority[..colon].Trim('[', ']');
        var port = int.Parse(endpoint.Authority.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var connect = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
            connect.CancelAfter(TimeSpan.FromSeconds(state.Table.Settings.ProxyConnectTimeoutSeconds));
            await socket.ConnectAsync(host, port, connect.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            endpoint.MarkFailed(time.GetTimestamp(), time.TimestampFrequency);
            LogConnectFailed(logger, serverName, endpoint.Authority, e.Message);
            return;
        }

        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var up = input.CopyToAsync(stream, connection.ConnectionClosed);
        await using var toClient = connection.Transport.Output.AsStream(leaveOpen: true);
        var down = stream.CopyToAsync(toClient, connection.ConnectionClosed);
        try
        {
            if (await Task.WhenAny(up, down).ConfigureAwait(false) == up)
            {
                socket.Shutdown(SocketShutdown.Send); // the client is done sending; let the backend finish
                await down.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or TimeoutException or ObjectDisposedException)
        {
            // One side went away; closing both is all there is to do.
        }
    }

    [LoggerMessage(EventId = 210, Level = LogLevel.Warning, Message = "ssl-passthrough for {Host}: cannot connect to {Endpoint}: {Reason}")]
    private static partial void LogConnectFailed(ILogger logger, string host, string endpoint, string reason);
}
