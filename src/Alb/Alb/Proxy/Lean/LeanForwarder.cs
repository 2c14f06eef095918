using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Alb.Core.Http1;
using Alb.Pipeline;
using Yarp.ReverseProxy.Forwarder;

namespace Alb.Proxy.Lean;

/// <summary>
/// Forwards one request of a plain HTTP/1.1 route over a pooled keep-alive connection: the head written by
/// <see cref="RequestHead"/> (with a small body) in one send, the answer's head parsed by <see cref="ResponseHeadParser"/>,
/// its fields copied as YARP copies them, the body streamed to the client (Content-Length, chunked, or until close).
/// The connection goes back to the pool only after an answer read to its end that allows keep-alive. Errors are
/// reported as YARP reports them (status 502/504 before the answer started, an aborted client connection after).
/// </summary>
internal sealed partial class LeanForwarder(LeanUpstream upstream, RouteTransformer route, TimeSpan activityTimeout)
{
    private const int MaxHeadBytes = 64 * 1024;
    private const int MaxGatheredAnswer = 64 * 1024;
    private static readonly HeadLimits Limits = new(MaxHeadBytes, HeadLimits.Default.MaxHeaders);

    public LeanUpstream Upstream => upstream;

    public bool TryPrepare(HttpContext context, out LeanRequest request) => RequestHead.TryWrite(context, route, out request);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ForwarderError> SendAsync(HttpContext context, EndpointState endpoint, LeanRequest request)
    {
        var pool = upstream.PoolFor(endpoint);
        var time = upstream.Time;
        var buffer = request.Buffer;
        var length = request.HeadLength;
        var aborted = context.RequestAborted;
        LeanConnection? connection = null;
        var stage = Stage.Request;
        try
        {
            if (request.BodyLength > 0)
            {
                if (length + request.BodyLength > buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(length + (int)request.BodyLength);
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                stage = Stage.RequestBody;
                var end = length + (int)request.BodyLength;
                while (length < end)
                {
                    var read = await context.Request.Body.ReadAsync(buffer.AsMemory(length, end - length), aborted).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return Fail(context, ForwarderError.RequestBodyClient, new IOException("The client's body ended before its Content-Length."));
                    }

                    length += read;
                }

                stage = Stage.Request;
            }

            for (var attempt = 0; ; attempt++)
            {
                connection = pool.Rent(time.GetTimestamp());
                var reused = connection is not null;
                if (connection is null)
                {
                    try
                    {
                        connection = await pool.ConnectAsync(aborted).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is SocketException or OperationCanceledException)
                    {
                        return aborted.IsCancellationRequested
                            ? Fail(context, ForwarderError.RequestCanceled, e)
                            : Fail(context, ForwarderError.Request, new HttpRequestException(HttpRequestError.ConnectionError, e.Message, e));
                    }
                }

                var received = await ExchangeAsync(context, connection, buffer, length, reused && attempt == 0).ConfigureAwait(false);
                if (received < 0)
                {
                    // A reused connection the backend had closed: nothing was answered, so the request goes again on a new one.
                    connection.Dispose();
                    connection = null;
                    continue;
                }

                ArrayPool<byte>.Shared.Return(buffer);
                buffer = null!;
                stage = Stage.ResponseBody;
                var keepAlive = await CopyAnswerAsync(context, connection, received, request.IsHead).ConfigureAwait(false);
                if (keepAlive && connection.Cancel.TryReset())
                {
                    pool.Return(connection, time.GetTimestamp());
                }
                else
                {
                    connection.Dispose();
                }

                connection = null;
                return ForwarderError.None;
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException or ObjectDisposedException or LeanProtocolException)
        {
            connection?.Dispose();
            var byClient = aborted.IsCancellationRequested || e is ClientGoneException;
            if (stage == Stage.ResponseBody)
            {
                context.Abort();
                return Fail(context, byClient ? ForwarderError.ResponseBodyClient : ForwarderError.ResponseBodyDestination, e, setStatus: false);
            }

            if (byClient)
            {
                return Fail(context, stage == Stage.RequestBody ? ForwarderError.RequestBodyClient : ForwarderError.RequestCanceled, e);
            }

            return e is OperationCanceledException
                ? Fail(context, ForwarderError.RequestTimedOut, e, StatusCodes.Status504GatewayTimeout)
                : Fail(context, ForwarderError.Request, e is LeanProtocolException ? new HttpRequestException(HttpRequestError.InvalidResponse, e.Message, e) : e);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Sends the request and reads the final answer's head into the connection's buffer; -1: a stale reused connection.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ExchangeAsync(HttpContext context, LeanConnection connection, byte[] request, int length, bool mayRetry)
    {
        connection.Requests++;
        var cancel = connection.Cancel;
        cancel.CancelAfter(activityTimeout);
        using var registration = context.RequestAborted.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), cancel);
        var socket = connection.Socket;
        try
        {
            await socket.SendAsync(request.AsMemory(0, length), SocketFlags.None, cancel.Token).ConfigureAwait(false);
        }
        catch (SocketException) when (mayRetry)
        {
            return -1;
        }

        var received = 0;
        while (true)
        {
            var buffer = connection.Buffer;
            if (received == buffer.Length)
            {
                if (buffer.Length >= MaxHeadBytes + LeanConnection.BufferSize)
                {
                    throw new LeanProtocolException(HeadError.TooLarge.ToString());
                }

                var bigger = GC.AllocateUninitializedArray<byte>(buffer.Length * 2);
                buffer.AsSpan(0, received).CopyTo(bigger);
                connection.Buffer = buffer = bigger;
            }

            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, cancel.Token).ConfigureAwait(false);
            }
            catch (SocketException) when (mayRetry && received == 0)
            {
                return -1;
            }

            if (read == 0)
            {
                if (mayRetry && received == 0)
                {
                    return -1;
                }

                throw new LeanProtocolException("The backend closed the connection before a complete answer head.");
            }

            received += read;
            while (true)
            {
                var error = ResponseHeadParser.TryParse(buffer.AsSpan(0, received), connection.Head, Limits);
                if (error == HeadError.Incomplete)
                {
                    break;
                }

                if (error != HeadError.None)
                {
                    throw new LeanProtocolException(error.ToString());
                }

                if (connection.Head.Status == 101)
                {
                    throw new LeanProtocolException("101 Switching Protocols to a request that asked for no upgrade.");
                }

                if (!connection.Head.IsInterim)
                {
                    return received;
                }

                // 1xx (103 Early Hints, a 100 Continue not asked for): skipped, as SocketsHttpHandler does.
                var headLength = connection.Head.Length;
                buffer.AsSpan(headLength, received - headLength).CopyTo(buffer);
                received -= headLength;
                if (received == 0)
                {
                    break;
                }
            }
        }
    }

    private static ForwarderError Fail(HttpContext context, ForwarderError error, Exception exception, int status = StatusCodes.Status502BadGateway, bool setStatus = true)
    {
        if (setStatus && !context.Response.HasStarted)
        {
            context.Response.Clear(); // as YARP: none of the backend's or alb's fields on the error answer
            context.Response.StatusCode = status;
        }

        context.Features.Set<IForwarderErrorFeature>(new LeanError(error, exception));
        return error;
    }

    private enum Stage
    {
        Request,
        RequestBody,
        ResponseBody,
    }

    private sealed class LeanError(ForwarderError error, Exception exception) : IForwarderErrorFeature
    {
        public ForwarderError Error { get; } = error;

        public Exception? Exception { get; } = exception;
    }
}

/// <summary>The backend broke HTTP/1.1 (a malformed head or body, or closed early).</summary>
internal sealed class LeanProtocolException(string message) : IOException(message);

/// <summary>Writing to the client failed: it went away.</summary>
internal sealed class ClientGoneException() : IOException("The client went away.");
