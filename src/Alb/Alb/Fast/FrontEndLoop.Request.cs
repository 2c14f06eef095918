using System.Buffers;
using System.Text;
using Alb.Core.Policies;
using Alb.Core.Routing;
using Alb.Pipeline;
using Alb.Proxy.Lean;

namespace Alb.Fast;

/// <summary>The request's half: whether the loop serves it, and the head the backend gets.</summary>
internal sealed partial class FrontEndLoop
{
    /// <summary>The largest request body the loop reads whole and sends with the head (the lean client's bound).</summary>
    private const int MaxBody = RequestHead.MaxInlineBody;

    /// <summary>TryServe's answer while a body is still coming: neither served nor handed over yet.</summary>
    private const string AwaitingBody = "awaiting_body";

    /// <summary>The method of a request the loop forwards with a body (or none: OPTIONS), or null when it hands the method over.</summary>
    private static string? WithBody(ReadOnlySpan<byte> method) =>
        method.SequenceEqual("POST"u8) ? "POST" : method.SequenceEqual("PUT"u8) ? "PUT" : method.SequenceEqual("PATCH"u8) ? "PATCH" : method.SequenceEqual("DELETE"u8) ? "DELETE" : method.SequenceEqual("OPTIONS"u8) ? "OPTIONS" : null;
    private static readonly SearchValues<byte> PlainPathBytes = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/"u8);

    /// <summary>
    /// Serves the request at the start of the client's buffer when the loop can do all the general path would: an
    /// HTTP/1.1 or HTTP/1.0 GET or HEAD, or a POST, PUT, PATCH, DELETE or OPTIONS with a body of at most MaxBody bytes, without a protocol
    /// switch, a plain target, a route whose steps the loop runs (<see cref="LoopRoute"/>) to an address. Returns null
    /// when taken (answered by a step, or sent to the backend), <see cref="AwaitingBody"/> while its body is still
    /// coming, else why not (the hand-over's reason).
    /// </summary>
    private string? TryServe(LoopClient client)
    {
        var state = _publisher.Current;
        if (state is null)
        {
            return "not_served_here"; // no table yet
        }

        var buffer = client.In;
        var head = client.Head;
        var isHead = head.IsHead(buffer);
        var method = isHead ? "HEAD" : head.IsGet(buffer) ? "GET" : WithBody(buffer.AsSpan(0, head.MethodLength));
        if (method is null)
        {
            return "method";
        }

        // A body of up to MaxBody bytes with its Content-Length, read whole before the backend is asked (as
        // proxy-request-buffering, the default, does on the general path); chunked, Expect and larger bodies go there.
        var bodyLength = (int)Math.Min(Math.Max(head.ContentLength, 0), int.MaxValue);
        if (head.Upgrade || head.Expect || head.Chunked || head.ContentLength > MaxBody || (bodyLength > 0 && method is "GET" or "HEAD"))
        {
            return "body";
        }

        var path = buffer.AsSpan(head.TargetStart, head.PathLength);
        var query = buffer.AsSpan(head.TargetStart + head.PathLength, head.TargetLength - head.PathLength);
        if (path.ContainsAnyExcept(PlainPathBytes))
        {
            return "target";
        }

        var rawPath = Encoding.ASCII.GetString(path);
        var queryText = Encoding.ASCII.GetString(query);
        if (!Proxy.Lean.RequestHead.PlainQuery(queryText) || !RequestPath.TryNormalize(rawPath, out var forwardPath, out var matchPath))
        {
            return "target";
        }

        var host = Encoding.ASCII.GetString(buffer.AsSpan(head.HostStart, head.HostLength));
        var match = state.Matcher.Match(host, matchPath);
        var runtime = state.Runtime(match);
        // Client certificates are checked on the general path: a host asking for one, or a connection whose handshake
        // (its SNI) applied a host's policy (another host's Host header there is 421).
        if (match.Host.ClientCert is not null || client.Tls?.Remembered?.Policy is not null || runtime.Pipeline.Loop is not { } route)
        {
            return "route";
        }

        var pool = route.Pool;
        if (pool.Backend.Problem is not null || pool.Endpoints.Length == 0)
        {
            return "route"; // 503 or the default backend: the general path's answer
        }

        if (bodyLength > 0)
        {
            if (!route.Policy.RequestBuffering || (route.Policy.BodySize > 0 && bodyLength > route.Policy.BodySize))
            {
                return "body"; // streamed as it comes, or refused with 413: the general path's
            }

            if (client.InLength < head.Length + bodyLength)
            {
                // Not all here yet: read on (client-body-timeout between reads; past it, the general path answers).
                client.AwaitedBytes = head.Length + bodyLength;
                client.BodyTimeoutTicks = route.Policy.BodyTimeoutMs * Frequency / 1000;
                client.Deadline = Now + client.BodyTimeoutTicks;
                return AwaitingBody;
            }
        }

        // As the lean client: a rewritten path with a dot segment goes where System.Uri resolves it (the general path).
        var rewritten = route.Transforms.RewrittenPath(forwardPath);
        if (rewritten is not null && rewritten.Contains("/.", StringComparison.Ordinal))
        {
            return "target";
        }

        if (!Identify(client, state.Identity, route.Forwarding.ComputeFullForwardedFor))
        {
            return "not_served_here"; // a forwarded value the backend's head could not carry as the general path's would
        }

        // As the general path: after the primary's 503 check, the canary's rules choose (it has endpoints, or is never chosen).
        if (route.Canary is { } canary && canary.Chooses(client.Fields))
        {
            pool = canary.Pool;
        }

        var now = Now;
        var endpoint = pool.Pick(now)!;
        if (AddressOf(endpoint) is null)
        {
            return "route"; // a name to resolve (ExternalName): the general path's client does that
        }

        client.Requests++;
        client.Http10 = head.MinorVersion == 0;
        client.CloseAfter = !head.KeepAlive || client.Requests >= state.Table.Settings.KeepAliveRequests || _stopping;
        client.InFlight = true;
        client.AwaitedBytes = 0;
        client.Started = now;
        client.IsHead = isHead;
        client.Method = method;
        client.Resendable = method is not ("POST" or "PATCH") || route.Policy.NextUpstream.HasFlag(NextUpstream.NonIdempotent);
        client.Route = route;
        client.Pool = pool;
        client.Runtime = runtime;
        client.Host = host;
        client.Path = forwardPath;
        client.RequestBytes = head.Length + bodyLength;
        client.Deadline = 0;
        client.CorsOrigin = route.Cors is { } cors ? cors.Step.Echo(FieldValues(client, "Origin"u8)) : null;
        client.RequestId = RequestIdOf(client);
        client.Request = new LoopRequest(client.RequestAddress ?? System.Net.IPAddress.None, host, forwardPath, rawPath, queryText, client.Forwarded, client.Https);
        client.Rewritten = rewritten;
        client.Query = queryText;
        client.BodyLength = bodyLength;
        client.Picked = endpoint;
        RunSteps(client, 0, accessDone: false);
        return null;
    }

    /// <summary>
    /// The route's steps from <paramref name="from"/> in order, the access phase before the step at
    /// <see cref="LoopRoute.AccessAt"/> (unless <paramref name="accessDone"/>); the first answer ends the request. An
    /// access phase the loop cannot decide without waiting leaves the request where it is (<see cref="WaitForAccess"/>).
    /// </summary>
    private void RunSteps(LoopClient client, int from, bool accessDone)
    {
        var route = client.Route!;
        var steps = route.Steps;
        for (var i = from; i <= steps.Length; i++)
        {
            if (i == route.CorsAt && client.CorsOrigin is not null && client.Method == "OPTIONS" && !accessDone)
            {
                client.CustomFields = route.Custom is not null && route.CustomAt <= i;
                Preflight(client); // CORS answers its preflight where it runs: before the access phase, rate limits, redirects after it
                return;
            }

            if (i == route.AccessAt && route.Access is { } access && !accessDone)
            {
                _accessRequest.Client = client.RequestAddress;
                _accessRequest.Host = client.Host;
                _accessRequest.Claims = null;
                _accessClient = client;
                var verdict = access.Decide(_accessRequest);
                _accessClient = null;
                if (verdict is not { } decided)
                {
                    WaitForAccess(client, access);
                    return;
                }

                client.Claims = _accessRequest.Claims;
                if (!decided.Allowed)
                {
                    Answer(client, decided.Status, decided.Location, decided.Challenge, at: i);
                    return;
                }
            }

            string? location = null;
            if (i < steps.Length && (steps[i] is RateLimitStep { AddressOnly: false } limit ? limit.Answer(client.Request, out client.Held) : steps[i].Answer(client.Request, out location)) is var status and not 0)
            {
                Answer(client, status, location, null, at: i);
                return;
            }
        }

        client.CustomFields = route.Custom is not null;
        WriteUpstreamHead(client, route, client.Rewritten ?? client.Path, client.Rewritten is not null, client.Query, client.Host, client.BodyLength);
        Consume(client);
        _metrics.LoopForwards.Inc();
        StartAttempt(client, client.Picked!);
    }

    /// <summary>
    /// alb's own answer to the request, given before the step at <paramref name="at"/>: with the CORS fields and the
    /// custom-headers of the steps before it only. Its head (and body) consumed; bytes after it (a pipelined request)
    /// wait for this answer.
    /// </summary>
    private void Answer(LoopClient client, int status, string? location, string? challenge, int at)
    {
        Consume(client);
        var route = client.Route!;
        client.CorsOrigin = route.CorsAt <= at ? client.CorsOrigin : null;
        client.CustomFields = route.Custom is not null && route.CustomAt <= at;
        AnswerStatus(client, status, location is null ? Pipeline.Answers.BodyFor(status) : [], location, challenge);
    }

    /// <summary>Drops the request's head and body from the input buffer; what follows them moves to its start.</summary>
    private static void Consume(LoopClient client)
    {
        var used = client.Head.Length + client.BodyLength;
        var rest = client.InLength - used;
        client.In.AsSpan(used, rest).CopyTo(client.In);
        client.InLength = rest;
    }
}
