using System.Buffers;
using System.Collections.Frozen;
using Alb.Pipeline;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace Alb.Proxy.Lean;

/// <summary>A request head written for the lean client, in a pooled buffer, and the body length that follows it (-1: none).</summary>
internal readonly record struct LeanRequest(byte[] Buffer, int HeadLength, long BodyLength, bool IsHead);

/// <summary>
/// Writes the request line and field lines the way the route's <see cref="RouteTransformer"/> and YARP's copy would
/// have them: the client's fields minus hop-by-hop ones and those alb replaces, Host (or upstream-vhost),
/// X-Forwarded-*, X-Real-IP, X-Request-ID, X-Original-Forwarded-For; Proxy and Expect dropped; the rewrite-target
/// path and X-Forwarded-Prefix; Authorization dropped behind basic auth; the auth-set fields in place of the
/// client's copies. False when the request is outside the lean client's case (a body not buffered whole or over
/// 64 KiB, Upgrade, CONNECT, a target or field YARP would re-encode): YARP forwards it.
/// </summary>
internal static class RequestHead
{
    public const int MaxInlineBody = 64 * 1024;

    /// <summary>Client fields not copied: hop-by-hop ones, and those alb writes itself.</summary>
    internal static readonly FrozenSet<string> Replaced = new[]
    {
        // YARP's hop-by-hop list
        "Connection", "Transfer-Encoding", "Keep-Alive", "Upgrade", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authentication-Info",
        "Proxy-Authorization", "Proxy-Features", "Proxy-Instruction", "Security-Scheme", "ALPN", "Close", "TE", "Alt-Svc",
        // written by alb (RouteTransformer)
        "Host", "X-Original-Forwarded-For", "X-Forwarded-For", "X-Real-IP", "X-Forwarded-Proto", "X-Forwarded-Scheme", "X-Scheme",
        "X-Forwarded-Host", "X-Forwarded-Port", "X-Request-ID", "Proxy", "Expect",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    internal static readonly SearchValues<char> PlainQueryChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/?%");

    public static bool TryWrite(HttpContext context, RouteTransformer route, out LeanRequest prepared)
    {
        prepared = default;
        var request = context.Request;
        var method = request.Method;
        if (HttpMethods.IsConnect(method) || context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true })
        {
            return false;
        }

        long bodyLength = -1;
        var buffered = request.Body as FileBufferingReadStream;
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody != false)
        {
            // Only a body proxy-request-buffering has read whole (with it off, the backend must see the body as it comes).
            if (buffered is null || buffered.Position != 0 || buffered.Length > MaxInlineBody)
            {
                return false;
            }

            bodyLength = buffered.Length;
        }

        // YARP sends Path.ToUriComponent() (or the rewritten path) + the raw query through System.Uri; only targets Uri
        // leaves alone go here: no escapes in a client's path, no "/." in a rewritten one (Uri would resolve a dot segment;
        // the same cheap guard as RequestPath's, so "/.well-known" goes to YARP too, which is only slower).
        var rewritten = route.RewrittenPath(request);
        var path = rewritten ?? (request.Path.HasValue ? request.Path.ToUriComponent() : "/");
        var query = request.QueryString.Value ?? "";
        if ((rewritten is null ? path.Contains('%', StringComparison.Ordinal) : rewritten.Contains("/.", StringComparison.Ordinal)) || !PlainQuery(query))
        {
            return false;
        }

        if (route.DropsAuthorization)
        {
            request.Headers.Authorization = StringValues.Empty; // basic auth: as RouteTransformer, the credentials stay at the edge
        }

        var head = new HeadBuilder(ArrayPool<byte>.Shared.Rent(4096));
        if (!Write(ref head, context, route, method, path, query, buffered is null ? -1 : bodyLength, rewritten is not null))
        {
            ArrayPool<byte>.Shared.Return(head.Buffer);
            return false;
        }

        prepared = new LeanRequest(head.Buffer, head.Length, bodyLength, HttpMethods.IsHead(method));
        return true;
    }

    private static bool Write(ref HeadBuilder head, HttpContext context, RouteTransformer route, string method, string path, string query, long bufferedLength, bool rewritten)
    {
        var request = context.Request;
        var forwarding = route.Forwarding;
        var forwarded = context.Features.Get<ForwardedFeature>();
        var requestHost = forwarded?.Host ?? request.Host.Value ?? "";
        var auth = route.AuthHeaders;
        var prefix = rewritten ? route.ForwardedPrefix : null;
        var ok = head.Ascii(method) && head.Ascii(" ") && head.Ascii(path) && head.Ascii(query) && head.Ascii(" HTTP/1.1\r\nHost: ") && head.Ascii(route.Host ?? requestHost) && head.Ascii("\r\n");
        foreach (var (name, values) in request.Headers)
        {
            if (!ok)
            {
                return false;
            }

            if (name.StartsWith(':') || Replaced.Contains(name) || (bufferedLength >= 0 && string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase))
                || (auth is not null && auth.Removes(name)) || (prefix is not null && string.Equals(name, "X-Forwarded-Prefix", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            ok = Field(ref head, name, values);
        }

        if (prefix is not null)
        {
            ok = ok && Field(ref head, "X-Forwarded-Prefix", prefix);
        }

        if (auth is not null)
        {
            foreach (var (name, value) in Auth.AuthHeaderNames.Values(context.Features.Get<Auth.AuthHeadersFeature>(), context.Features.Get<Auth.JwtHeadersFeature>()))
            {
                ok = ok && Field(ref head, name, value);
            }
        }

        if (bufferedLength >= 0)
        {
            ok = ok && head.Ascii("Content-Length: ") && head.Number(bufferedLength) && head.Ascii("\r\n");
        }

        if (HttpProtocol.IsHttp2(request.Protocol) && request.Headers.TE.ToString().Contains("trailers", StringComparison.OrdinalIgnoreCase))
        {
            ok = ok && head.Ascii("TE: trailers\r\n");
        }

        var client = ClientAddress.Of(context);
        var scheme = forwarded?.Scheme ?? (request.IsHttps ? "https" : "http");
        var original = request.Headers[forwarding.ForwardedForHeader];
        if (original.Count > 0)
        {
            ok = ok && Field(ref head, "X-Original-Forwarded-For", original.ToString());
        }

        if (forwarded is not null && forwarding.ComputeFullForwardedFor)
        {
            var forwardedFor = request.Headers.TryGetValue("X-Forwarded-For", out var chain) && chain.Count > 0 ? $"{chain}, {forwarded.Peer}" : forwarded.Peer.ToString();
            ok = ok && Field(ref head, "X-Forwarded-For", forwardedFor);
        }
        else
        {
            ok = ok && head.Ascii("X-Forwarded-For: ") && head.Address(client) && head.Ascii("\r\n");
        }

        ok = ok && head.Ascii("X-Real-IP: ") && head.Address(client) && head.Ascii("\r\n")
            && Field(ref head, "X-Forwarded-Proto", scheme) && Field(ref head, "X-Forwarded-Scheme", scheme) && Field(ref head, "X-Scheme", scheme)
            && Field(ref head, "X-Forwarded-Host", requestHost);
        ok = ok && (forwarded?.Port is { } port ? Field(ref head, "X-Forwarded-Port", port) : head.Ascii("X-Forwarded-Port: ") && head.Number(context.Connection.LocalPort) && head.Ascii("\r\n"));
        return ok && Field(ref head, "X-Request-ID", RequestIds.Get(context)) && head.Ascii("\r\n");
    }

    /// <summary>One field line; several values joined as HttpClient joins them. A value with CR or LF drops the field (as YARP does).</summary>
    private static bool Field(ref HeadBuilder head, string name, StringValues values)
    {
        foreach (var value in values)
        {
            if (value is not null && value.AsSpan().ContainsAny('\r', '\n'))
            {
                return true;
            }
        }

        if (!head.Ascii(name) || !head.Ascii(": "))
        {
            return false;
        }

        var separator = string.Equals(name, "Cookie", StringComparison.OrdinalIgnoreCase) ? "; " : string.Equals(name, "User-Agent", StringComparison.OrdinalIgnoreCase) ? " " : ", ";
        for (var i = 0; i < values.Count; i++)
        {
            if ((i > 0 && !head.Ascii(separator)) || !head.Ascii(values[i] ?? ""))
            {
                return false;
            }
        }

        return head.Ascii("\r\n");
    }

    internal static bool PlainQuery(string query)
    {
        var span = query.AsSpan();
        if (span.ContainsAnyExcept(PlainQueryChars))
        {
            return false;
        }

        for (var i = span.IndexOf('%'); i >= 0; i = span.IndexOf('%'))
        {
            if (i + 2 >= span.Length || !char.IsAsciiHexDigit(span[i + 1]) || !char.IsAsciiHexDigit(span[i + 2]))
            {
                return false;
            }

            span = span[(i + 3)..];
        }

        return true;
    }
}
