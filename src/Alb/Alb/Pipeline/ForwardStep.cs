using System.Net;
using Alb.Core.Policies;
using Alb.Core.Routing;
using Alb.Observability;
using Alb.Pipeline.Balancing;
using Alb.Proxy;
using Alb.Proxy.Lean;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace Alb.Pipeline;

/// <summary>
/// The leaf: proxy-body-size, then YARP's forwarder to a round-robin endpoint of the route's pool, retrying another
/// endpoint when a connection could not be made and the request has no body (proxy_next_upstream error), at most
/// proxy-next-upstream-tries attempts. Settings come from the route's <see cref="UpstreamPolicy"/>, fixed at publish.
/// </summary>
internal sealed partial class ForwardStep(
    BackendPool primary,
    Balancer balancer,
    CanarySelector? canary,
    UpstreamPolicy policy,
    ForwarderRequestConfig config,
    HttpTransformer transformer,
    ForwardServices services,
    DefaultBackend? fallback,
    HttpMessageInvoker invoker,
    Mirror? mirror,
    LeanForwarder? lean = null)
{
    public async ValueTask<string?> InvokeAsync(HttpContext context)
    {
        // As ingress-nginx: a primary without endpoints answers 503 (or goes to its default-backend) before any canary rule.
        if (primary.Backend.Problem is not null || primary.Endpoints.Length == 0)
        {
            if (fallback is { Usable: true })
            {
                return await SendToDefaultAsync(context, fallback, fallback.ForMissingEndpoints).ConfigureAwait(false);
            }

            await Answers.WriteStatusAsync(context, StatusCodes.Status503ServiceUnavailable).ConfigureAwait(false);
            return null;
        }

        if (!AdmitBody(context, policy.BodySize))
        {
            await Answers.WriteStatusAsync(context, StatusCodes.Status413PayloadTooLarge).ConfigureAwait(false);
            return null;
        }

        // ingress-nginx: a client pinned to the primary by its affinity cookie stays there; else the canary rules decide.
        var toCanary = canary is not null && !(balancer is StickyBalancer sticky && sticky.IsAffinitized(context)) && canary.Chooses(context);
        var pool = toCanary ? canary!.Pool : primary;
        var pick = toCanary ? RoundRobinBalancer.Instance : balancer;
        var canRetry = context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false;
        if (!canRetry && policy.RequestBuffering)
        {
            var failed = await RequestBuffer.ReadAsync(context, policy.BodyBufferSize, policy.BodySize, policy.BodyTimeoutMs).ConfigureAwait(false);
            if (failed != 0)
            {
                if (!context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted)
                {
                    context.Response.Headers.Connection = "close";
                    await Answers.WriteStatusAsync(context, failed).ConfigureAwait(false);
                }

                return null;
            }

            canRetry = true; // the whole body is here: another endpoint can be sent it again
        }
        else if (!canRetry && context.Request.ContentLength is null)
        {
            context.Request.Body = new CountingRequestBody(context.Request.Body); // a chunked upload: its size is counted as it passes
        }

        if (policy.LimitRateBytes > 0 && context.Features.Get<IHttpResponseBodyFeature>() is { } body)
        {
            context.Features.Set<IHttpResponseBodyFeature>(new ThrottledResponseBody(body, policy.LimitRateBytes, policy.LimitRateAfterBytes));
        }

        BufferedResponseBody? buffered = null;
        if (policy.ResponseBuffering && context.Features.Get<IHttpResponseBodyFeature>() is { } answer)
        {
            buffered = new BufferedResponseBody(answer, policy.ResponseBufferBytes, policy.ResponseTempFileBytes);
            context.Response.RegisterForDisposeAsync(buffered);
            context.Features.Set<IHttpResponseBodyFeature>(buffered);
        }

        // After buffering: the copy can carry the body.
        if (mirror is not null)
        {
            await mirror.FireAsync(context).ConfigureAwait(false);
        }

        var maxAttempts = policy.NextUpstream == NextUpstream.Off ? 1
            : policy.NextUpstreamTries == 0 ? pool.Endpoints.Length : Math.Min(policy.NextUpstreamTries, pool.Endpoints.Length);
        var time = services.Time;
        var began = time.GetTimestamp();
        var resendable = canRetry && (policy.NextUpstream.HasFlag(NextUpstream.NonIdempotent) || !IsNonIdempotent(context.Request.Method));
        var retry = (policy.NextUpstream & StatusConditions) != NextUpstream.Off && resendable ? new RetryFeature() : null;
        if (retry is not null)
        {
            context.Features.Set(retry);
        }

        EndpointState? previous = null;
        for (var attempt = 1; ; attempt++)
        {
            var withinBudget = policy.NextUpstreamTimeoutSeconds == 0 || time.GetElapsedTime(began).TotalSeconds < policy.NextUpstreamTimeoutSeconds;
            if (retry is not null)
            {
                retry.CanRetry = attempt < maxAttempts && withinBudget;
                retry.DroppedStatus = 0;
            }

            var started = time.GetTimestamp();
            var endpoint = pick.Pick(context, pool, previous, started);
            var prefix = invoker == services.Upstream.Invoker ? endpoint.Prefix(policy.Protocol) : endpoint.HttpPrefix; // a proxy-ssl pool does its own TLS
            ForwarderError error;
            if (lean is not null && lean.TryPrepare(context, out var leanRequest))
            {
                services.Metrics.LeanForwards.Inc();
                error = await lean.SendAsync(context, endpoint, leanRequest).ConfigureAwait(false);
            }
            else
            {
                services.Metrics.GeneralForwards.Inc();
                error = await services.Forwarder.SendAsync(context, prefix, invoker, config, transformer).ConfigureAwait(false);
            }

            var now = time.GetTimestamp();
            pick.Completed(endpoint, (now - started) / (double)time.TimestampFrequency, now, time.TimestampFrequency);
            if (error == ForwarderError.None && retry is { DroppedStatus: > 0 })
            {
                // proxy-next-upstream http_NNN: the answer was dropped before anything reached the client.
                ResetForRetry(context);
                previous = endpoint;
                continue;
            }

            if (error == ForwarderError.None && buffered is not null)
            {
                await buffered.DrainAsync(context.RequestAborted).ConfigureAwait(false); // the backend is done: the client gets it now
            }

            if (error == ForwarderError.None)
            {
                return context.Features.Get<InterceptedFeature>() is { } intercepted
                    ? await InterceptedAsync(context, intercepted).ConfigureAwait(false)
                    : endpoint.Authority;
            }

            var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
            if (ByClient(error))
            {
                // The client went away (nginx's 499): not an upstream failure, and not worth a warning per request.
                LogClientGone(services.Logger, pool.Backend.Id, endpoint.Authority, error);
                return endpoint.Authority;
            }

            var connectFailed = error == ForwarderError.Request && exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError };
            if (connectFailed || error == ForwarderError.RequestTimedOut)
            {
                endpoint.MarkFailed(time.GetTimestamp(), time.TimestampFrequency);
            }

            services.Metrics.UpstreamFailures.WithLabels(connectFailed ? "connect" : error == ForwarderError.RequestTimedOut ? "timeout" : "other").Inc();
            LogUpstreamError(services.Logger, pool.Backend.Id, endpoint.Authority, error, exception?.Message ?? "");

            var withinTime = policy.NextUpstreamTimeoutSeconds == 0 || time.GetElapsedTime(began).TotalSeconds < policy.NextUpstreamTimeoutSeconds;
            var retryable = (connectFailed && policy.NextUpstream.HasFlag(NextUpstream.Error) && canRetry) ||
                (error == ForwarderError.RequestTimedOut && policy.NextUpstream.HasFlag(NextUpstream.Timeout) && resendable);
            if (!retryable || attempt >= maxAttempts || !withinTime || context.Response.HasStarted)
            {
                return endpoint.Authority;
            }

            // Nothing reached the client: try the next endpoint (proxy_next_upstream).
            ResetForRetry(context);
            previous = endpoint;
        }
    }

    /// <summary>The proxy-next-upstream conditions that look at the backend's status code.</summary>
    public const NextUpstream StatusConditions = NextUpstream.Http500 | NextUpstream.Http502 | NextUpstream.Http503 | NextUpstream.Http504 | NextUpstream.Http403 | NextUpstream.Http404 | NextUpstream.Http429;

    /// <summary>nginx's non-idempotent methods: not sent to a second endpoint once sent to one, unless non_idempotent.</summary>
    private static bool IsNonIdempotent(string method) => HttpMethods.IsPost(method) || HttpMethods.IsPatch(method) || method == "LOCK";

    private static void ResetForRetry(HttpContext context)
    {
        if (context.Request.Body.CanSeek)
        {
            context.Request.Body.Position = 0;
        }

        context.Features.Set<IForwarderErrorFeature>(null);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>custom-http-errors: the default backend's page for the code, or alb's own status page when there is none.</summary>
    private async ValueTask<string?> InterceptedAsync(HttpContext context, InterceptedFeature intercepted)
    {
        // The backend's headers were never copied (its answer was dropped before that); alb's own (CORS, HSTS) stay.
        context.Response.StatusCode = StatusCodes.Status200OK;
        if (fallback is { Usable: true })
        {
            if (context.Request.Body.CanSeek)
            {
                context.Request.Body.Position = 0;
            }

            return await SendToDefaultAsync(context, fallback, fallback.ForErrorPage).ConfigureAwait(false);
        }

        await Answers.WriteStatusAsync(context, intercepted.Status).ConfigureAwait(false);
        return null;
    }

    private async ValueTask<string?> SendToDefaultAsync(HttpContext context, DefaultBackend target, HttpTransformer pageTransformer)
    {
        var endpoint = target.Pool.Pick(services.Time.GetTimestamp())!;
        services.Metrics.GeneralForwards.Inc();
        var error = await services.Forwarder.SendAsync(context, endpoint.HttpPrefix, services.Upstream.Invoker, config, pageTransformer).ConfigureAwait(false);
        if (error != ForwarderError.None && !ByClient(error))
        {
            LogUpstreamError(services.Logger, target.Pool.Backend.Id, endpoint.Authority, error, context.Features.Get<IForwarderErrorFeature>()?.Exception?.Message ?? "");
        }

        return endpoint.Authority;
    }

    /// <summary>HTTP/1.1 to HTTP and HTTPS backends; HTTP/2 (h2c with prior knowledge, or h2 over TLS) to gRPC ones.</summary>
    public static ForwarderRequestConfig ConfigFor(UpstreamPolicy policy) => new()
    {
        ActivityTimeout = TimeSpan.FromMilliseconds(Math.Max(policy.ReadTimeoutMs, policy.SendTimeoutMs)),
        Version = policy.Protocol is UpstreamProtocol.Grpc or UpstreamProtocol.Grpcs ? HttpVersion.Version20 : policy.HttpVersion == "1.0" ? HttpVersion.Version10 : HttpVersion.Version11,
        VersionPolicy = policy.Protocol is UpstreamProtocol.Grpc or UpstreamProtocol.Grpcs ? HttpVersionPolicy.RequestVersionExact : HttpVersionPolicy.RequestVersionOrLower,
    };

    /// <summary>proxy-body-size: a declared length over the limit is refused up front; a streamed body is cut by Kestrel.</summary>
    private static bool AdmitBody(HttpContext context, long limit)
    {
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

    /// <summary>Errors of the client's side: it cancelled (disconnected), or reading from or writing to it failed.</summary>
    private static bool ByClient(ForwarderError error) => error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyClient
        or ForwarderError.ResponseBodyCanceled or ForwarderError.ResponseBodyClient or ForwarderError.UpgradeRequestCanceled or ForwarderError.UpgradeRequestClient
        or ForwarderError.UpgradeResponseCanceled or ForwarderError.UpgradeResponseClient;

    [LoggerMessage(EventId = 201, Level = LogLevel.Debug, Message = "Client gone while forwarding to {Backend} at {Endpoint}: {Error}")]
    private static partial void LogClientGone(ILogger logger, string backend, string endpoint, ForwarderError error);

    [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "Upstream {Backend} at {Endpoint} failed: {Error} {Reason}")]
    private static partial void LogUpstreamError(ILogger logger, string backend, string endpoint, ForwarderError error, string reason);
}

/// <summary>A route's default-backend: its pool and the two ways it is asked (the route's path, or "/" for an error page).</summary>
internal sealed record DefaultBackend(BackendPool Pool, HttpTransformer ForMissingEndpoints, HttpTransformer ForErrorPage)
{
    public bool Usable => Pool.Backend.Problem is null && Pool.Endpoints.Length > 0;
}

/// <summary>What every forward step shares: the forwarder, the pooled upstream client, metrics, the clock, the logger, the mirror client.</summary>
internal sealed record ForwardServices(IHttpForwarder Forwarder, UpstreamClient Upstream, AlbMetrics Metrics, TimeProvider Time, ILogger Logger, MirrorSender Mirrors)
{
    /// <summary>Basic-auth password checks: cache and CPU bound shared by every route.</summary>
    public Auth.PasswordVerifier Passwords { get; } = new(Time);

    /// <summary>External auth: the pool to auth services and the auth answer cache.</summary>
    public Auth.AuthServices Auth { get; } = new(Time, Logger);

    /// <summary>JWT: the JWKS of every auth-jwt-jwks-url, fetched and refreshed in the background.</summary>
    public Auth.JwksStore Jwks { get; } = new(Time, Logger);
}
