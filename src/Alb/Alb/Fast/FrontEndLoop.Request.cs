using System.Buffers;
using System.Text;
using Alb.Core.Policies;
using Alb.Core.Routing;
using Alb.Pipeline;
using Alb.Proxy;
using Alb.Proxy.Lean;

namespace Alb.Fast;

/// <summary>The request's half: whether the loop serves it, and the head the backend gets.</summary>
internal sealed partial class FrontEndLoop
{
    /// <summary>The largest request body the loop reads whole and sends with the head (the lean client's bound).</summary>
    private const int MaxBody = RequestHead.MaxInlineBody;

    /// <summary>TryServe's answer while a body is still coming: neither served nor handed over yet.</summary>
    private const string AwaitingBody = "awaiting_body";

    /// <summary>The method of a request the loop forwards with a body, or null when it hands the method over.</summary>
    private static string? WithBody(ReadOnlySpan<byte> method) =>
        method.SequenceEqual("POST"u8) ? "POST" : method.SequenceEqual("PUT"u8) ? "PUT" : method.SequenceEqual("PATCH"u8) ? "PATCH" : method.SequenceEqual("DELETE"u8) ? "DELETE" : method.SequenceEqual("OPTIONS"u8) ? "OPTIONS" : null;
    private static readonly SearchValues<byte> PlainPathBytes = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/"u8);
    private static readonly AsciiNames Replaced = new(Proxy.Lean.RequestHead.Replaced.Concat(ClientCertHeaders.All));

    /// <summary>
    /// Serves the request at the start of the client's buffer when the loop can do all the general path would: an
    /// HTTP/1.1 GET or HEAD, or a POST, PUT, PATCH, DELETE or OPTIONS with a body of at most MaxBody bytes, without a protocol
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
        if (head.MinorVersion != 1 || method is null)
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

        var now = Now;
        var endpoint = pool.Pick(now)!;
        if (AddressOf(endpoint) is null)
        {
            return "route"; // a name to resolve (ExternalName): the general path's client does that
        }

        client.Requests++;
        client.CloseAfter = head.ConnectionClose || client.Requests >= state.Table.Settings.KeepAliveRequests || _stopping;
        client.InFlight = true;
        client.AwaitedBytes = 0;
        client.Started = now;
        client.IsHead = isHead;
        client.Method = method;
        client.Resendable = method is not ("POST" or "PATCH") || route.Policy.NextUpstream.HasFlag(NextUpstream.NonIdempotent);
        client.Route = route;
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
                    Answer(client, decided.Status, decided.Location, decided.Challenge, corsFields: route.CorsAt <= i);
                    return;
                }
            }

            string? location = null;
            if (i < steps.Length && (steps[i] is RateLimitStep { AddressOnly: false } limit ? limit.Answer(client.Request, out client.Held) : steps[i].Answer(client.Request, out location)) is var status and not 0)
            {
                Answer(client, status, location, null, corsFields: route.CorsAt <= i); // a step before CORS answered: no CORS fields yet
                return;
            }
        }

        WriteUpstreamHead(client, route, client.Rewritten ?? client.Path, client.Rewritten is not null, client.Query, client.Host, client.BodyLength);
        Consume(client);
        _metrics.LoopForwards.Inc();
        StartAttempt(client, client.Picked!);
    }

    /// <summary>alb's own answer to the request: its head (and body) consumed; bytes after it (a pipelined request) wait for this answer.</summary>
    private void Answer(LoopClient client, int status, string? location, string? challenge, bool corsFields)
    {
        Consume(client);
        client.CorsOrigin = corsFields ? client.CorsOrigin : null;
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

    /// <summary>
    /// The head the general path's lean client writes: the request line with the normalised path (or rewrite-target's),
    /// Host (or upstream-vhost), the client's fields but hop-by-hop ones and those alb sets, X-Forwarded-Prefix after
    /// a rewrite, then X-Original-Forwarded-For, X-Forwarded-*, X-Real-IP and X-Request-ID. A field the client
    /// repeated goes on as sent (one line each).
    /// </summary>
    private static void WriteUpstreamHead(LoopClient client, LoopRoute route, string path, bool rewritten, string query, string host, int bodyLength)
    {
        var buffer = client.In;
        var head = client.Head;
        var transforms = route.Transforms;
        var prefix = rewritten ? transforms.ForwardedPrefix : null;
        var forwarded = client.Forwarded;
        var requestHost = forwarded?.Host ?? host; // as the general path: what a trusted proxy saw
        var writer = new HeadBuilder(ArrayPool<byte>.Shared.Rent(2048));
        writer.Bytes(buffer.AsSpan(0, head.MethodLength));
        writer.Ascii(" ");
        writer.Ascii(path);
        writer.Ascii(query);
        writer.Ascii(" HTTP/1.1\r\nHost: ");
        writer.Ascii(transforms.Host ?? requestHost);
        writer.Ascii("\r\n");

        var forwardedForName = route.Forwarding.ForwardedForHeader;
        var forwardedFor = -1;
        var forwardedForCount = 0;
        var fields = head.Headers;
        for (var i = 0; i < fields.Length; i++)
        {
            var field = fields[i];
            var name = buffer.AsSpan(field.NameStart, field.NameLength);
            if (Ascii.EqualsIgnoreCase(name, forwardedForName))
            {
                forwardedFor = forwardedForCount++ == 0 ? i : forwardedFor;
            }

            if (Replaced.Contains(name) || (prefix is not null && Ascii.EqualsIgnoreCase(name, "X-Forwarded-Prefix"u8))
                || (transforms.DropsAuthorization && Ascii.EqualsIgnoreCase(name, "Authorization"u8)) || transforms.AuthHeaders?.Removes(name) == true)
            {
                continue; // basic auth's credentials stay at the edge; a client's copy of an auth-set header never passes
            }

            writer.Bytes(buffer.AsSpan(field.NameStart, field.NameLength));
            writer.Ascii(": ");
            writer.Bytes(buffer.AsSpan(field.ValueStart, field.ValueLength));
            writer.Ascii("\r\n");
        }

        if (prefix is not null)
        {
            writer.Ascii("X-Forwarded-Prefix: ");
            writer.Ascii(prefix);
            writer.Ascii("\r\n");
        }

        foreach (var (name, value) in Auth.AuthHeaderNames.Values(null, client.Claims))
        {
            writer.Ascii(name);
            writer.Ascii(": ");
            writer.Ascii(value);
            writer.Ascii("\r\n");
        }

        if (forwardedFor >= 0)
        {
            // As the general path: every copy of the field, joined with commas.
            writer.Ascii("X-Original-Forwarded-For: ");
            var first = true;
            for (var i = forwardedFor; i < fields.Length; i++)
            {
                var field = fields[i];
                if (Ascii.EqualsIgnoreCase(buffer.AsSpan(field.NameStart, field.NameLength), forwardedForName))
                {
                    if (!first)
                    {
                        writer.Ascii(",");
                    }

                    writer.Bytes(buffer.AsSpan(field.ValueStart, field.ValueLength));
                    first = false;
                }
            }

            writer.Ascii("\r\n");
        }

        var address = client.RequestAddress;
        writer.Ascii("X-Forwarded-For: ");
        if (client.ForwardedFor is { } chain)
        {
            writer.Ascii(chain);
        }
        else
        {
            writer.Address(address);
        }

        writer.Ascii("\r\nX-Real-IP: ");
        writer.Address(address);
        var scheme = forwarded?.Scheme ?? (client.Https ? "https" : "http");
        writer.Ascii("\r\nX-Forwarded-Proto: ");
        writer.Ascii(scheme);
        writer.Ascii("\r\nX-Forwarded-Scheme: ");
        writer.Ascii(scheme);
        writer.Ascii("\r\nX-Scheme: ");
        writer.Ascii(scheme);
        writer.Ascii("\r\nX-Forwarded-Host: ");
        writer.Ascii(requestHost);
        writer.Ascii("\r\nX-Forwarded-Port: ");
        if (forwarded?.Port is { } port)
        {
            writer.Ascii(port);
        }
        else
        {
            writer.Number(client.LocalPort);
        }

        writer.Ascii("\r\nX-Request-ID: ");
        writer.Ascii(client.RequestId);
        writer.Ascii("\r\n\r\n");
        writer.Bytes(buffer.AsSpan(head.Length, bodyLength)); // the body, whole (its Content-Length field went on as sent)
        client.UpRequest = writer.Buffer;
        client.UpRequestLength = writer.Length;
    }

    private System.Net.IPEndPoint? AddressOf(EndpointState endpoint)
    {
        if (!_addresses.TryGetValue(endpoint, out var address))
        {
            address = System.Net.IPEndPoint.TryParse(endpoint.Authority, out var parsed) && parsed.Port != 0 ? parsed : null;
            if (_addresses.Count > 10_000)
            {
                _addresses.Clear(); // endpoints of older tables: parsed again when met
            }

            _addresses[endpoint] = address;
        }

        return address;
    }
}
