using System.Text.RegularExpressions;
using Alb.Core.Policies;
using Alb.Core.Routing;
using Alb.Observability;
using Alb.Proxy;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Yarp.ReverseProxy.Forwarder;

namespace Alb.Pipeline;

/// <summary>
/// The request and response transforms of one route, built at publish: the headers of ingress-nginx's template
/// (Host or upstream-vhost, X-Forwarded-* computed here, the client's X-Forwarded-For kept as
/// X-Original-Forwarded-For, <c>Proxy</c> removed), the rewrite-target path, X-Forwarded-Prefix, and on the way back
/// the CORS headers over the backend's own.
/// </summary>
internal sealed class RouteTransformer : HttpTransformer
{
    private readonly ForwardingSettings _forwarding;
    private readonly string? _host;
    private readonly Regex? _rewrite;
    private readonly RewritePolicy? _rewritePolicy;
    private readonly CorsStep? _cors;
    private readonly HashSet<int>? _intercept;

    private readonly AnswerRewriter? _answer;
    private readonly bool _connectionClose;
    private readonly NextUpstream _retryStatuses;

    private readonly bool _dropAuthorization;
    private readonly Auth.AuthHeaderNames? _authHeaders;

    public RouteTransformer(ForwardingSettings forwarding, string? host, Regex? rewrite, RewritePolicy? rewritePolicy, CorsStep? cors, ErrorsPolicy? errors = null, AnswerRewriter? answer = null, bool connectionClose = false, NextUpstream retryStatuses = NextUpstream.Off, bool dropAuthorization = false, Auth.AuthHeaderNames? authHeaders = null)
    {
        _authHeaders = authHeaders;
        _dropAuthorization = dropAuthorization;
        _retryStatuses = retryStatuses;
        _answer = answer;
        _connectionClose = connectionClose;
        _intercept = errors is { InterceptCodes.Count: > 0 } ? [.. errors.InterceptCodes] : null;
        _forwarding = forwarding;
        _host = host;
        _rewrite = rewrite;
        _rewritePolicy = rewritePolicy;
        _cors = cors;
    }

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        if (_dropAuthorization)
        {
            // Basic auth: the credentials stay at the edge. Removed before the copy, so they are never copied.
            httpContext.Request.Headers.Authorization = Microsoft.Extensions.Primitives.StringValues.Empty;
        }

        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);

        var request = httpContext.Request;
        var headers = proxyRequest.Headers;
        if (request.Body is FileBufferingReadStream buffered && proxyRequest.Content is not null)
        {
            headers.TransferEncodingChunked = false; // a buffered body goes upstream with its length, as from nginx
            proxyRequest.Content.Headers.ContentLength = buffered.Length;
        }

        var forwarded = httpContext.Features.Get<ForwardedFeature>();
        var requestHost = forwarded?.Host ?? request.Host.Value ?? "";
        headers.Host = _host ?? requestHost;

        if (RewrittenPath(request) is { } rewritten)
        {
            proxyRequest.RequestUri = new Uri(destinationPrefix.TrimEnd('/') + rewritten + request.QueryString.Value, UriKind.Absolute);
            if (_rewritePolicy!.ForwardedPrefix is { } prefix)
            {
                Replace(headers, "X-Forwarded-Prefix", prefix);
            }
        }

        var client = ClientAddress.Of(httpContext)?.ToString() ?? "";
        var scheme = forwarded?.Scheme ?? (request.IsHttps ? "https" : "http");
        var original = request.Headers[_forwarding.ForwardedForHeader];
        if (original.Count > 0)
        {
            Replace(headers, "X-Original-Forwarded-For", original.ToString());
        }

        // ingress-nginx: the full chain only with use-forwarded-headers and compute-full-forwarded-for; else the client.
        var forwardedFor = forwarded is not null && _forwarding.ComputeFullForwardedFor
            ? (request.Headers.TryGetValue("X-Forwarded-For", out var chain) && chain.Count > 0 ? $"{chain}, {forwarded.Peer}" : forwarded.Peer.ToString())
            : client;
        Replace(headers, "X-Forwarded-For", forwardedFor);
        Replace(headers, "X-Real-IP", client);
        Replace(headers, "X-Forwarded-Proto", scheme);
        Replace(headers, "X-Forwarded-Scheme", scheme);
        Replace(headers, "X-Scheme", scheme);
        Replace(headers, "X-Forwarded-Host", requestHost);
        Replace(headers, "X-Forwarded-Port", forwarded?.Port ?? httpContext.Connection.LocalPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Replace(headers, "X-Request-ID", RequestIds.Get(httpContext));
        headers.Remove("Proxy"); // httpoxy: ingress-nginx sends proxy_set_header Proxy ""
        headers.Remove("Expect"); // nginx's proxy module clears Expect: the body is alb's to send (and buffered by default)
        _authHeaders?.Apply(headers, request.Headers, httpContext.Features.Get<Auth.AuthHeadersFeature>(), httpContext.Features.Get<Auth.JwtHeadersFeature>());
        if (_connectionClose)
        {
            headers.ConnectionClose = true; // connection-proxy-header: close
        }
    }

    /// <summary>The rewrite-target path of this request, escaped for the request line (no query); null without a rewrite or a match.</summary>
    internal string? RewrittenPath(HttpRequest request) => RewrittenPath(request.Path.Value ?? "/");

    /// <summary>The rewrite-target path of a request for <paramref name="path"/> (alb's normalised path; the loop asks too).</summary>
    internal string? RewrittenPath(string path)
    {
        if (_rewrite is null || _rewritePolicy is null)
        {
            return null;
        }

        Match match;
        try
        {
            match = _rewrite.Match(path);
        }
        catch (RegexMatchTimeoutException)
        {
            return null;
        }

        if (!match.Success)
        {
            return null;
        }

        var target = PathRegex.Substitute(_rewritePolicy.Target, match);
        if (target.Length == 0 || target[0] != '/')
        {
            target = "/" + target;
        }

        return Uri.EscapeDataString(target).Replace("%2F", "/", StringComparison.Ordinal);
    }

    /// <summary>
    /// Whether alb's lean HTTP/1.1 client can forward this route: it writes the same request (Host or upstream-vhost,
    /// rewrite-target, the auth-set headers, Authorization dropped) and runs <see cref="AfterCopy"/>; what needs the
    /// backend's status before the copy (custom-http-errors, proxy-next-upstream http_NNN) or a Connection: close
    /// upstream stays with YARP.
    /// </summary>
    internal bool LeanCapable => _intercept is null && _retryStatuses == NextUpstream.Off && !_connectionClose;

    /// <summary>
    /// Whether the front end's loop writes what this transformer would: the lean client's request with upstream-vhost
    /// and rewrite-target, JWT's claims-to-headers, Authorization dropped after basic auth, the CORS fields on the
    /// answer, custom-headers alone (no cookie or redirect rewriting). (External auth's headers never reach it: its
    /// check is not the loop's.)
    /// </summary>
    internal bool LoopCapable => LeanCapable && _answer is not { HeadersOnly: false };

    internal ForwardingSettings Forwarding => _forwarding;

    /// <summary>upstream-vhost: the Host the backend gets; null keeps the client's.</summary>
    internal string? Host => _host;

    internal string? ForwardedPrefix => _rewritePolicy?.ForwardedPrefix;

    internal bool DropsAuthorization => _dropAuthorization;

    internal Auth.AuthHeaderNames? AuthHeaders => _authHeaders;

    public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (_retryStatuses != NextUpstream.Off && proxyResponse is not null && (_retryStatuses & StatusFlag((int)proxyResponse.StatusCode)) != 0 &&
            httpContext.Features.Get<RetryFeature>() is { CanRetry: true } retry)
        {
            retry.DroppedStatus = (int)proxyResponse.StatusCode; // proxy-next-upstream http_NNN: try the next endpoint
            return ValueTask.FromResult(false);
        }

        if (_intercept is not null && proxyResponse is not null && _intercept.Contains((int)proxyResponse.StatusCode))
        {
            // custom-http-errors: the backend's answer is dropped; the forward step asks the default backend instead.
            httpContext.Features.Set(new InterceptedFeature((int)proxyResponse.StatusCode));
            return ValueTask.FromResult(false);
        }

        var copied = base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        return copied.IsCompletedSuccessfully ? ValueTask.FromResult(AfterCopy(httpContext, copied.Result)) : AwaitAsync(httpContext, copied);

        async ValueTask<bool> AwaitAsync(HttpContext context, ValueTask<bool> pending) => AfterCopy(context, await pending.ConfigureAwait(false));
    }

    /// <summary>After the backend's fields were copied (also by the lean HTTP/1.1 client): alb's answer headers, and body counting.</summary>
    internal bool AfterCopy(HttpContext context, bool copyBody)
    {
        _answer?.Apply(context.Response);
        _cors?.Apply(context);
        _forwarding.ResponseHeaders.Apply(context);
        if (copyBody && context.Response.ContentLength is null && context.Features.Get<IHttpResponseBodyFeature>() is { } body and not CountingResponseBody)
        {
            context.Features.Set<IHttpResponseBodyFeature>(new CountingResponseBody(body));
        }

        return copyBody;
    }

    public static NextUpstream StatusFlag(int status) => status switch
    {
        500 => NextUpstream.Http500,
        502 => NextUpstream.Http502,
        503 => NextUpstream.Http503,
        504 => NextUpstream.Http504,
        403 => NextUpstream.Http403,
        404 => NextUpstream.Http404,
        429 => NextUpstream.Http429,
        _ => NextUpstream.Off,
    };

    private static void Replace(System.Net.Http.Headers.HttpRequestHeaders headers, string name, string value)
    {
        headers.Remove(name);
        headers.TryAddWithoutValidation(name, value);
    }
}

/// <summary>The ConfigMap's forwarding settings every route's transformer shares (one instance per publish).</summary>
internal sealed record ForwardingSettings(string ForwardedForHeader, bool ComputeFullForwardedFor, ResponseHeaders ResponseHeaders)
{
    public RouteTransformer Plain => field ??= new RouteTransformer(this, null, null, null, null);
}
