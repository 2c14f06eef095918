using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;
using Alb.Auth;
using Microsoft.AspNetCore.Http.Features;

namespace Alb.Fast;

/// <summary>
/// The access phase on the loop (basic auth, JWT, allow lists under satisfy). A request whose checks decide from
/// their caches is answered or forwarded at once; one that needs work (a bcrypt hash, a signature, keys not fetched
/// yet) waits, its connection's reads paused, while the general path's own code decides it on the thread pool; the
/// verdict comes back through the loop's inbox (an eventfd in its epoll set) and the request goes on from there on
/// the loop. Nothing blocks the loop's thread, and the connection never leaves the loop for it.
/// </summary>
internal sealed unsafe partial class FrontEndLoop
{
    private readonly ConcurrentQueue<(LoopClient Client, int Generation, AccessVerdict Verdict, JwtHeadersFeature? Claims)> _inbox = new();
    private readonly LoopAccessRequest _accessRequest;
    private LoopClient? _accessClient;
    private int _inboxFd = -1;

    /// <summary>Who may still write to the inbox's eventfd: the loop, and each verification under way. The last one closes it (a late verdict never writes to a reused descriptor).</summary>
    private int _inboxUsers = 1;

    /// <summary>The loop's end of the inbox: an object in the slot table, so its events dispatch like a socket's.</summary>
    private sealed class Inbox;

    private LoopAccessRequest NewAccessRequest() => new() { Fields = name => _accessClient!.Values(name) };

    /// <summary>The inbox's eventfd, registered in the epoll set (at construction).</summary>
    private void OpenInbox()
    {
        _inboxFd = Native.eventfd(0, Native.SockNonBlock | Native.SockCloexec); // EFD_NONBLOCK, EFD_CLOEXEC share the socket flags' values
        if (_inboxFd < 0 || Register(new Inbox(), _inboxFd, Native.EpollIn) < 0)
        {
            throw new InvalidOperationException($"eventfd: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>
    /// Sends the access phase off the loop: the request (its head still in the buffer) stays in flight with its reads
    /// paused, and the general path's <see cref="AccessStep.DecideAsync"/> runs on the thread pool over a context
    /// holding the request's fields, address and host.
    /// </summary>
    private void WaitForAccess(LoopClient client, AccessStep access)
    {
        client.Waiting = true;
        _metrics.LoopAccessWaits.Inc();
        var context = AccessContext(client);
        var generation = client.Generation;
        Interlocked.Increment(ref _inboxUsers);
        _ = Task.Run(() => OffLoop.DecideAsync(access, context, _logger, (verdict, claims) =>
        {
            _inbox.Enqueue((client, generation, verdict, claims));
            WakeInbox();
            ReleaseInbox();
        }));
    }

    /// <summary>One user of the inbox done (the loop at its end, or a verification); the last closes the eventfd.</summary>
    private void ReleaseInbox()
    {
        if (Interlocked.Decrement(ref _inboxUsers) == 0)
        {
            Native.close(_inboxFd);
        }
    }

    private void WakeInbox()
    {
        long one = 1;
        _ = Native.write(_inboxFd, (byte*)&one, sizeof(long));
    }

    /// <summary>The verdicts that came back: each request goes on where it stopped (a connection closed meanwhile is skipped).</summary>
    private void DrainInbox()
    {
        long count;
        _ = Native.read(_inboxFd, (byte*)&count, sizeof(long));
        while (_inbox.TryDequeue(out var done))
        {
            var client = done.Client;
            if (client.Generation != done.Generation || !client.Waiting || _slots[client.Slot] != client)
            {
                continue;
            }

            client.Waiting = false;
            try
            {
                var route = client.Route!;
                client.Claims = done.Claims;
                if (done.Verdict.Allowed)
                {
                    RunSteps(client, route.AccessAt, accessDone: true);
                }
                else
                {
                    Answer(client, done.Verdict.Status, done.Verdict.Location, done.Verdict.Challenge, at: route.AccessAt);
                }
            }
            catch (Exception e)
            {
                Log.LoopFailed(_logger, e.ToString()); // a bug costs this connection, never the loop
                Close(client, reset: true);
            }
        }
    }

    /// <summary>The request as the general path's checks read it: its fields as sent, Host, scheme, method, target and the client's address.</summary>
    private static DefaultHttpContext AccessContext(LoopClient client)
    {
        var context = new DefaultHttpContext();
        var request = context.Request;
        request.Method = client.Method;
        request.Scheme = client.Https ? "https" : "http";
        request.Host = new HostString(client.Host);
        request.Path = client.Request.Path;
        request.QueryString = new QueryString(client.Request.Query.Length > 0 ? client.Request.Query : null);
        var buffer = client.In;
        foreach (var field in client.Head.Headers)
        {
            if (Ascii.EqualsIgnoreCase(buffer.AsSpan(field.NameStart, field.NameLength), "Host"u8))
            {
                continue; // Request.Host above
            }

            var name = Encoding.Latin1.GetString(buffer.AsSpan(field.NameStart, field.NameLength));
            request.Headers.Append(name, Encoding.Latin1.GetString(buffer.AsSpan(field.ValueStart, field.ValueLength)));
        }

        context.Connection.RemoteIpAddress = client.RequestAddress;
        context.Features.Get<IHttpRequestFeature>()!.Protocol = "HTTP/1.1";
        return context;
    }
}

/// <summary>The access phase's work off the loop (an async method cannot live in the loop's unsafe type).</summary>
internal static partial class OffLoop
{
    public static async Task DecideAsync(AccessStep access, DefaultHttpContext context, ILogger logger, Action<AccessVerdict, JwtHeadersFeature?> done)
    {
        AccessVerdict verdict;
        try
        {
            verdict = await access.DecideAsync(context).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            CheckFailed(logger, e);
            verdict = new AccessVerdict(StatusCodes.Status500InternalServerError); // a check that fails never lets a request through
        }

        done(verdict, context.Features.Get<JwtHeadersFeature>());
    }

    [LoggerMessage(EventId = 303, Level = LogLevel.Error, Message = "An access check failed on a request of the front end's loop")]
    private static partial void CheckFailed(ILogger logger, Exception exception);
}
