using System.Diagnostics;
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
        var match = state.Matcher.Match(request.Host.Value, request.Path.Value);
        var runtime = state.Runtime(match);
        var upstreamAddress = await ClientCertHandshake.AdmitsAsync(context, match.Host.ClientCert).ConfigureAwait(false)
            ? await runtime.Pipeline.InvokeAsync(context).ConfigureAwait(false)
            : null;
        Record(context, runtime, started, upstreamAddress);
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

    private sealed class KeepAliveCount
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
