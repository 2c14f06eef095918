using System.Diagnostics;
using Alb.Core.Routing;
using Microsoft.AspNetCore.Http.Features;
using Alb.Observability;
using Alb.Core.Policies;
using Alb.Pipeline;
using Alb.Tls;

namespace Alb.Proxy;

/// <summary>
/// The request path: match (our compiled table, not ASP.NET routing), run the route's compiled pipeline (redirects,
/// CORS, limits, access, forward; see <see cref="RoutePipeline"/>), then record metrics and the access log line.
/// </summary>
internal sealed class ProxyHandler(
    ConfigPublisher publisher,
    AccessLog accessLog,
    TimeProvider time)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var state = publisher.Current;
        if (state is null)
        {
            await Answers.WriteStatusAsync(context, StatusCodes.Status503ServiceUnavailable).ConfigureAwait(false);
            return;
        }

        state.Identity.Apply(context);
        state.ResponseHeaders.Apply(context);
        CountKeepAlive(context, state.Table.Settings.KeepAliveRequests);
        var request = context.Request;
        DropClientCertHeaders(request.Headers);
        if (!NormalizePath(context, out var matchPath))
        {
            await Answers.WriteStatusAsync(context, StatusCodes.Status400BadRequest).ConfigureAwait(false);
            Record(context, state.Runtime(state.Matcher.Match(request.Host.Value, "/")), started, null);
            return;
        }

        var match = state.Matcher.Match(request.Host.Value, matchPath);
        var runtime = state.Runtime(match);
        var upstreamAddress = await ClientCertHandshake.AdmitsAsync(context, match.Host.ClientCert).ConfigureAwait(false)
            ? await runtime.Pipeline.InvokeAsync(context).ConfigureAwait(false)
            : null;
        Record(context, runtime, started, upstreamAddress);
    }

    /// <summary>
    /// The request's path normalised once (<see cref="RequestPath"/>) from the target as the client sent it: the route
    /// is matched on it (path parameters cut), the access checks see it, and it is the path forwarded.
    /// </summary>
    private static bool NormalizePath(HttpContext context, out string matchPath)
    {
        var request = context.Request;
        matchPath = request.Path.Value ?? "/";
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? matchPath;
        if (raw == "*")
        {
            return true; // OPTIONS *
        }

        if (!raw.StartsWith('/'))
        {
            // absolute-form (GET http://host/path): the path starts at the first slash after the authority
            var authority = raw.IndexOf("://", StringComparison.Ordinal);
            var slash = authority < 0 ? -1 : raw.IndexOf('/', authority + 3);
            raw = slash < 0 ? "/" : raw[slash..];
        }

        var query = raw.IndexOf('?', StringComparison.Ordinal);
        if (raw.Contains('#', StringComparison.Ordinal) || !RequestPath.TryNormalize(query < 0 ? raw : raw[..query], out var forward, out matchPath))
        {
            return false;
        }

        if (!string.Equals(forward, request.Path.Value, StringComparison.Ordinal))
        {
            request.Path = new PathString(forward);
        }

        return true;
    }

    /// <summary>
    /// ssl-client-verify, -subject-dn, -issuer-dn and -cert are alb's to set (a host's client-certificate check does);
    /// copies a client sent are removed on every route, so no backend can be told a certificate was verified when it was not.
    /// </summary>
    private static void DropClientCertHeaders(IHeaderDictionary headers)
    {
        foreach (var name in ClientCertHeaders.All)
        {
            headers.Remove(name);
        }
    }

    /// <summary>keep-alive-requests: the Nth request of an HTTP/1.1 connection is answered with Connection: close, as nginx's keepalive_requests.</summary>
    private static void CountKeepAlive(HttpContext context, int limit)
    {
        if (!HttpProtocol.IsHttp11(context.Request.Protocol) || context.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionItemsFeature>() is not { } feature)
        {
            return;
        }

        var items = feature.Items;
        if (!items.TryGetValue(typeof(KeepAliveCount), out var value) || value is not KeepAliveCount count)
        {
            count = new KeepAliveCount();
            items[typeof(KeepAliveCount)] = count;
        }

        if (++count.Requests >= limit)
        {
            context.Response.Headers.Connection = "close";
        }
    }

    /// <summary>Requests on a connection so far (the front end's loop seeds it when it hands a connection over).</summary>
    internal sealed class KeepAliveCount
    {
        public int Requests;
    }

    private void Record(HttpContext context, RouteRuntime runtime, long started, string? upstreamAddress)
    {
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var request = context.Request;
        var response = context.Response;
        var status = response.StatusCode;
        var requestBytes = MessageSizes.Request(request, MessageSizes.RequestBody(request));
        var responseBytes = MessageSizes.Response(response, MessageSizes.ResponseBody(context));

        var children = runtime.MetricsFor(status, RequestMetrics.MethodLabel(request.Method));
        children.Requests.Inc();
        children.Duration.Observe(elapsed);
        children.RequestSize.Observe(requestBytes);
        children.ResponseSize.Observe(responseBytes);

        if (accessLog.Enabled && runtime.AccessLog)
        {
            accessLog.Write(new AccessLogEntry(
                time.GetUtcNow(),
                RequestIds.Get(context),
                context.Connection.RemoteIpAddress?.ToString() ?? "",
                request.Method,
                request.Host.Value ?? "",
                request.Path.Value ?? "",
                request.Protocol,
                status,
                requestBytes,
                responseBytes,
                elapsed,
                upstreamAddress,
                runtime.Namespace,
                runtime.Ingress,
                runtime.Service));
        }
    }
}
