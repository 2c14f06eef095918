using System.Diagnostics;
using Alb.Core.Routing;
using Alb.Observability;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace Alb.Proxy;

/// <summary>
/// The request path: match (our compiled table, not ASP.NET routing), then answer (redirect, 404, 503, 413) or
/// forward with YARP's forwarder to a round-robin endpoint, retrying another endpoint when a connection could not
/// be made and the request has no body. Records metrics and the access log line.
/// </summary>
internal sealed partial class ProxyHandler(
    ConfigPublisher publisher,
    IHttpForwarder forwarder,
    UpstreamClient upstream,
    AccessLog accessLog,
    AlbMetrics metrics,
    HttpsRedirectTarget redirectTarget,
    TimeProvider time,
    ILogger<ProxyHandler> logger)
{
    private const int MaxAttempts = 3;

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var state = publisher.Current;
        if (state is null)
        {
            await WriteStatusAsync(context, StatusCodes.Status503ServiceUnavailable).ConfigureAwait(false);
            return;
        }

        var request = context.Request;
        var match = state.Matcher.Match(request.Host.Value, request.Path.Value);
        var runtime = state.Runtime(match);
        string? upstreamAddress = null;

        if (!request.IsHttps && match.Route is { HttpsRedirect: true })
        {
            context.Response.StatusCode = StatusCodes.Status308PermanentRedirect;
            context.Response.Headers.Location = redirectTarget.For(request);
        }
        else if (match.Route?.BackendId is null)
        {
            await WriteStatusAsync(context, StatusCodes.Status404NotFound).ConfigureAwait(false);
        }
        else if (runtime.Pool is not { Backend.Problem: null } pool || pool.Endpoints.Length == 0)
        {
            await WriteStatusAsync(context, StatusCodes.Status503ServiceUnavailable).ConfigureAwait(false);
        }
        else if (!AdmitBody(context, state.Table.Settings))
        {
            await WriteStatusAsync(context, StatusCodes.Status413PayloadTooLarge).ConfigureAwait(false);
        }
        else
        {
            upstreamAddress = await ForwardAsync(context, pool, match.Route.Protocol, state.Table.Settings).ConfigureAwait(false);
        }

        Record(context, runtime, started, upstreamAddress);
    }

    private async Task<string?> ForwardAsync(HttpContext context, BackendPool pool, UpstreamProtocol protocol, GlobalSettings settings)
    {
        var config = upstream.RequestConfig(settings, protocol);
        var canRetry = context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false;
        if (!canRetry && context.Request.ContentLength is null)
        {
            context.Request.Body = new CountingRequestBody(context.Request.Body); // a chunked upload: its size is counted as it passes
        }

        EndpointState? previous = null;
        for (var attempt = 1; ; attempt++)
        {
            var endpoint = pool.Pick(time.GetTimestamp(), previous)!;
            var error = await forwarder.SendAsync(context, endpoint.Prefix(protocol), upstream.Invoker, config, ForwardingTransformer.Instance).ConfigureAwait(false);
            if (error == ForwarderError.None)
            {
                return endpoint.Authority;
            }

            var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
            var connectFailed = error == ForwarderError.Request && exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError };
            if (connectFailed || error == ForwarderError.RequestTimedOut)
            {
                endpoint.MarkFailed(time.GetTimestamp(), time.TimestampFrequency);
            }

            metrics.UpstreamFailures.WithLabels(connectFailed ? "connect" : error == ForwarderError.RequestTimedOut ? "timeout" : "other").Inc();
            LogUpstreamError(logger, pool.Backend.Id, endpoint.Authority, error, exception?.Message ?? "");

            if (!connectFailed || !canRetry || attempt >= MaxAttempts || pool.Endpoints.Length < 2 || context.Response.HasStarted)
            {
                return endpoint.Authority;
            }

            // Nothing reached the client and nothing was sent upstream: try the next endpoint (proxy_next_upstream error).
            context.Features.Set<IForwarderErrorFeature>(null);
            context.Response.StatusCode = StatusCodes.Status200OK;
            previous = endpoint;
        }
    }

    /// <summary>proxy-body-size: a declared length over the limit is refused up front; a streamed body is cut by Kestrel.</summary>
    private static bool AdmitBody(HttpContext context, GlobalSettings settings)
    {
        var limit = settings.ProxyBodySize;
        if (limit == 0)
        {
            return true;
        }

        if (context.Request.ContentLength > limit)
        {
            return false;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }

        return true;
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

        if (accessLog.Enabled)
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

    private static Task WriteStatusAsync(HttpContext context, int status)
    {
        var response = context.Response;
        response.StatusCode = status;
        var body = status switch
        {
            404 => "404 Not Found\n"u8.ToArray(),
            413 => "413 Request Entity Too Large\n"u8.ToArray(),
            _ => "503 Service Temporarily Unavailable\n"u8.ToArray(),
        };
        response.ContentType = "text/plain; charset=utf-8";
        response.ContentLength = body.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(body).AsTask();
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "Upstream {Backend} at {Endpoint} failed: {Error} {Reason}")]
    private static partial void LogUpstreamError(ILogger logger, string backend, string endpoint, ForwarderError error, string reason);
}
