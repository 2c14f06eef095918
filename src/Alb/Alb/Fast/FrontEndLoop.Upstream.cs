using System.Net.Sockets;
using System.Runtime.InteropServices;
using Alb.Core.Http1;
using Alb.Core.Policies;
using Alb.Proxy;

namespace Alb.Fast;

/// <summary>The backend's half: the loop's keep-alive connections, connect, send, the answer's head, failures and retries.</summary>
internal sealed unsafe partial class FrontEndLoop
{
    private static readonly HeadLimits AnswerLimits = new(LoopUpstream.BufferSize, HeadLimits.Default.MaxHeaders);

    /// <summary>Sends the request to <paramref name="endpoint"/> on an idle connection, or a new one.</summary>
    private void StartAttempt(LoopClient client, EndpointState endpoint, bool fresh = false)
    {
        client.Attempt++;
        client.Endpoint = endpoint;
        var now = Now;
        var up = fresh ? null : RentIdle(endpoint, now);
        var reused = up is not null;
        up ??= Connect(endpoint);
        if (up is null)
        {
            ConnectFailed(client, "connect", "the connection was refused");
            return;
        }

        up.Start(client, reused);
        client.Up = up;
        if (up.Connecting)
        {
            up.Deadline = now + client.Route!.ConnectTicks;
            Interest(up, Native.EpollOut);
            return;
        }

        SendRequest(client, up);
    }

    private LoopUpstream? Connect(EndpointState endpoint)
    {
        var address = AddressOf(endpoint)!;
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, Blocking = false };
        var connecting = false;
        try
        {
            socket.Connect(address);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
        {
            connecting = true;
        }
        catch (SocketException)
        {
            socket.Dispose();
            return null;
        }

        var up = new LoopUpstream(socket, endpoint) { Connecting = connecting };
        up.Events = connecting ? Native.EpollOut : Native.EpollIn;
        up.Slot = Register(up, up.Fd, up.Events);
        if (up.Slot < 0)
        {
            socket.Dispose();
            return null;
        }

        return up;
    }

    private void OnUpstream(LoopUpstream up, uint events)
    {
        if (up.Owner is not { } client)
        {
            Drop(up); // readable while idle: the backend closed it, or sent what no request asked for
            return;
        }

        if (up.Connecting)
        {
            if (Native.PendingError(up.Fd) is var error and not 0)
            {
                Drop(up);
                client.Up = null;
                ConnectFailed(client, "connect", $"errno {error}");
                return;
            }

            up.Connecting = false;
            SendRequest(client, up);
            return;
        }

        if ((events & Native.EpollOut) != 0 && up.Sent < client.UpRequestLength)
        {
            SendRequest(client, up);
            return;
        }

        if ((events & (Native.EpollIn | Native.EpollHup | Native.EpollErr)) != 0)
        {
            ReadUpstream(client, up);
        }
    }

    private void SendRequest(LoopClient client, LoopUpstream up)
    {
        nint sent;
        fixed (byte* buffer = &client.UpRequest![up.Sent])
        {
            sent = Native.send(up.Fd, buffer, client.UpRequestLength - up.Sent, Native.MsgNoSignal);
        }

        if (sent < 0 && Marshal.GetLastPInvokeError() != Native.EAgain)
        {
            Retire(client, up, "the request could not be sent");
            return;
        }

        up.Sent += (int)Math.Max(sent, 0);
        up.Deadline = Now + client.Route!.ActivityTicks;
        Interest(up, up.Sent < client.UpRequestLength ? Native.EpollOut : Native.EpollIn);
    }

    private void ReadUpstream(LoopClient client, LoopUpstream up)
    {
        var offset = up.HeadDone ? 0 : up.Received;
        nint n;
        fixed (byte* buffer = &up.Buffer[offset])
        {
            n = Native.recv(up.Fd, buffer, up.Buffer.Length - offset, 0);
        }

        if (n < 0 && Marshal.GetLastPInvokeError() == Native.EAgain)
        {
            return;
        }

        if (n <= 0)
        {
            BackendClosed(client, up);
            return;
        }

        up.Deadline = Now + client.Route!.ActivityTicks;
        if (up.HeadDone)
        {
            Relay(client, up, up.Buffer.AsSpan(0, (int)n));
            return;
        }

        up.Received += (int)n;
        while (true)
        {
            var error = ResponseHeadParser.TryParse(up.Buffer.AsSpan(0, up.Received), up.Head, AnswerLimits);
            if (error == HeadError.Incomplete)
            {
                if (up.Received == up.Buffer.Length)
                {
                    BadAnswer(client, up, HeadError.TooLarge.ToString());
                }

                return;
            }

            if (error != HeadError.None || up.Head.Status == 101)
            {
                BadAnswer(client, up, error != HeadError.None ? error.ToString() : "101 Switching Protocols to a request that asked for no upgrade.");
                return;
            }

            if (!up.Head.IsInterim)
            {
                break;
            }

            // 1xx (103 Early Hints, a 100 Continue not asked for): skipped, as the general path does.
            var interim = up.Head.Length;
            up.Buffer.AsSpan(interim, up.Received - interim).CopyTo(up.Buffer);
            up.Received -= interim;
            if (up.Received == 0)
            {
                return;
            }
        }

        up.HeadDone = true;
        AnswerHead(client, up);
    }

    /// <summary>The backend closed: a stale keep-alive connection (sent again on a new one), the end of a close-delimited answer, or a failure.</summary>
    private void BackendClosed(LoopClient client, LoopUpstream up)
    {
        if (!up.HeadDone && up.Received == 0 && up.Reused)
        {
            SendAgain(client, up); // a reused connection the backend had closed: nothing was answered
            return;
        }

        if (up.HeadDone && up.Framing == BodyFraming.UntilClose)
        {
            EndAnswer(client, up, reusable: false);
            return;
        }

        BadAnswer(client, up, up.HeadDone ? "The backend closed the connection before the end of the body." : "The backend closed the connection before a complete answer head.");
    }

    /// <summary>A send that failed on a reused connection goes again on a new one; on a new connection it is the backend's failure.</summary>
    private void Retire(LoopClient client, LoopUpstream up, string reason)
    {
        if (up.Reused)
        {
            SendAgain(client, up);
            return;
        }

        BadAnswer(client, up, reason);
    }

    /// <summary>The request again, to the same endpoint on a new connection, not counted as another attempt.</summary>
    private void SendAgain(LoopClient client, LoopUpstream stale)
    {
        Drop(stale);
        client.Up = null;
        client.Attempt--;
        StartAttempt(client, stale.Endpoint, fresh: true);
    }

    /// <summary>The backend broke HTTP/1.1 or the connection: 502 before the answer started, a reset client after.</summary>
    private void BadAnswer(LoopClient client, LoopUpstream up, string reason)
    {
        Drop(up);
        client.Up = null;
        Failure(client, "other", reason);
        if (client.AnswerStarted)
        {
            Close(client, reset: true);
            return;
        }

        AnswerStatus(client, 502);
    }

    private void UpstreamTimedOut(LoopClient client, LoopUpstream up)
    {
        var connecting = up.Connecting;
        var started = client.AnswerStarted;
        Drop(up);
        client.Up = null;
        var route = client.Route!;
        if (connecting)
        {
            ConnectFailed(client, "connect", "connect timed out");
            return;
        }

        client.Endpoint!.MarkFailed(Now, Frequency);
        Failure(client, "timeout", "the backend did not answer within the read timeout");
        if (started)
        {
            Close(client, reset: true);
        }
        else if (route.Policy.NextUpstream.HasFlag(NextUpstream.Timeout) && client.Resendable && CanRetry(client))
        {
            Retry(client);
        }
        else
        {
            AnswerStatus(client, 504);
        }
    }

    /// <summary>proxy_next_upstream error: another endpoint within the tries and the time budget, else 502.</summary>
    private void ConnectFailed(LoopClient client, string kind, string reason)
    {
        client.Endpoint!.MarkFailed(Now, Frequency);

        Failure(client, kind, reason);
        if (client.Route!.Policy.NextUpstream.HasFlag(NextUpstream.Error) && CanRetry(client))
        {
            Retry(client);
            return;
        }

        AnswerStatus(client, 502);
    }

    private static bool CanRetry(LoopClient client)
    {
        var policy = client.Route!.Policy;
        return client.Attempt < client.Route.MaxAttempts(client.Pool!)
            && (policy.NextUpstreamTimeoutSeconds == 0 || Now - client.Started < policy.NextUpstreamTimeoutSeconds * Frequency);
    }

    private void Retry(LoopClient client)
    {
        client.Previous = client.Endpoint;
        var next = client.Pool!.Pick(Now, client.Previous)!;
        if (AddressOf(next) is null)
        {
            AnswerStatus(client, 502);
            return;
        }

        StartAttempt(client, next);
    }

    private void Failure(LoopClient client, string kind, string reason)
    {
        client.Route!.Services.Metrics.UpstreamFailures.WithLabels(kind).Inc();
        Log.UpstreamFailed(_logger, client.Pool!.Backend.Id, client.Endpoint!.Authority, kind, reason);
    }
}
