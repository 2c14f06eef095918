using Alb.Auth;
using Alb.Core.Policies;
using Alb.Core.Routing;
using Alb.Pipeline.Balancing;
using Alb.Proxy;
using Route = Alb.Core.Routing.Route;

namespace Alb.Pipeline;

/// <summary>
/// One route's compiled pipeline: the steps <see cref="PipelinePlan"/> lists for its policies, in that order, then the
/// forward step (or a 404 when the route has no backend). Built once per publish; a request only walks an array.
/// </summary>
internal sealed class RoutePipeline
{
    private readonly RouteStep[] _steps;
    private readonly ForwardStep? _forward;

    private RoutePipeline(RouteStep[] steps, ForwardStep? forward, Fast.LoopRoute? loop = null)
    {
        _steps = steps;
        _forward = forward;
        Loop = loop;
    }

    /// <summary>What the front end's loop needs to serve the route itself; null: only this pipeline serves it.</summary>
    public Fast.LoopRoute? Loop { get; }

    /// <summary>A host's "no route matched, no default backend": 404.</summary>
    public static RoutePipeline NotFound { get; } = new([], null);

    /// <summary>Compiles <paramref name="route"/>; <paramref name="clientCert"/> is its host's client-certificate check, if any.</summary>
    public static RoutePipeline Compile(Route route, BackendPool? pool, PipelineContext context, ClientCertCheck? clientCert = null)
    {
        var policies = route.Policies;
        var steps = new List<RouteStep>();
        CorsStep? cors = null;
        var answer = policies.Answer is { } answerPolicy ? new AnswerRewriter(answerPolicy) : null;
        var access = new List<AccessCheck>();
        var accessAt = -1;
        foreach (var planned in PipelinePlan.For(policies, context.Settings, clientCert?.Policy))
        {
            switch (planned.Kind)
            {
                case StepKind.WwwRedirect:
                    steps.Add(new WwwRedirectStep(policies.WwwRedirect!));
                    break;
                case StepKind.AppRoot:
                    steps.Add(new AppRootStep(policies.AppRoot!));
                    break;
                case StepKind.Deny:
                    steps.Add(new DenyStep(policies.Deny!));
                    break;
                case StepKind.ResponseHeaders:
                    steps.Add(answer!);
                    break;
                case StepKind.Cors:
                    cors = new CorsStep(policies.Cors!);
                    steps.Add(cors);
                    break;
                case StepKind.Redirect:
                    steps.Add(new FixedRedirectStep(policies.Redirect!));
                    break;
                case StepKind.HttpsRedirect:
                    steps.Add(new HttpsRedirectStep(policies.HttpsRedirect!, context.HttpsPort));
                    break;
                case StepKind.RateLimit:
                    steps.Add(new RateLimitStep(context.Limits(route.Id, policies.RateLimit!), context.Settings.LimitReqStatusCode, context.Settings.LimitConnStatusCode));
                    break;
                case StepKind.ClientCert:
                    accessAt = accessAt < 0 ? steps.Count : accessAt;
                    access.Add(clientCert!);
                    break;
                case StepKind.SourceRanges:
                    accessAt = accessAt < 0 ? steps.Count : accessAt;
                    access.Add(new SourceRangeCheck(new SourceRangeStep(policies.SourceRanges!)));
                    break;
                case StepKind.BasicAuth:
                    accessAt = accessAt < 0 ? steps.Count : accessAt;
                    access.Add(new BasicAuthCheck(policies.BasicAuth!, context.Services.Passwords));
                    break;
                case StepKind.ExternalAuth:
                    accessAt = accessAt < 0 ? steps.Count : accessAt;
                    access.Add(new ExternalAuthCheck(policies.ExternalAuth!, route.Id, context.Services.Auth,
                        context.Settings.UseForwardedHeaders && context.Settings.ComputeFullForwardedFor, TimeSpan.FromSeconds(context.Settings.ProxyReadTimeoutSeconds)));
                    break;
                case StepKind.Jwt:
                    accessAt = accessAt < 0 ? steps.Count : accessAt;
                    access.Add(new JwtCheck(policies.Jwt!, policies.Jwt!.JwksUrl is { } url ? context.Jwks(url) : null));
                    break;
                case StepKind.Rewrite:
                case StepKind.Canary:
                case StepKind.Mirror:
                case StepKind.Forward:
                    break; // the forward step below carries both
            }
        }

        if (accessAt >= 0)
        {
            steps.Insert(accessAt, access is [SourceRangeCheck only] ? only.Ranges : new AccessStep([.. access], policies.Satisfy));
        }

        ForwardStep? forward = null;
        if (route.BackendId is not null && pool is not null)
        {
            var upstream = policies.Upstream ?? UpstreamPolicy.From(context.Settings);
            var rewrite = policies.Rewrite is not null ? PathRegex.Match(route.Path) : null;
            var errors = policies.Errors;
            var retryStatuses = upstream.NextUpstream & ForwardStep.StatusConditions;
            var dropAuthorization = policies.BasicAuth is not null; // ingress-nginx: proxy_set_header Authorization ""
            var authHeaders = AuthHeaderNames.For(policies);
            var transformer = upstream.Host is null && rewrite is null && cors is null && errors is not { InterceptCodes.Count: > 0 } && answer is null && upstream.ConnectionHeader is null && retryStatuses == NextUpstream.Off && !dropAuthorization && authHeaders is null
                ? context.Forwarding.Plain
                : new RouteTransformer(context.Forwarding, upstream.Host, rewrite, policies.Rewrite, cors, errors, answer, upstream.ConnectionHeader == "close", retryStatuses, dropAuthorization, authHeaders);
            var fallback = errors?.BackendId is { } fallbackId && context.Pool(fallbackId) is { } fallbackPool
                ? new DefaultBackend(fallbackPool, new ErrorPageTransformer(route, pool.Backend, rootPath: false, context.Forwarding), new ErrorPageTransformer(route, pool.Backend, rootPath: true, context.Forwarding))
                : null;
            var canary = policies.Canary is { } c && context.Pool(c.BackendId) is { } canaryPool ? new CanarySelector(c, canaryPool) : null;
            Balancer balancer = policies.Balance switch
            {
                { Affinity: { } affinity } => new StickyBalancer(affinity, pool, route.Path),
                { Algorithm: BalanceAlgorithm.ConsistentHash, HashBy: { } key } b => new HashBalancer(key, pool, b.SubsetSize),
                { Algorithm: BalanceAlgorithm.Ewma } => new EwmaBalancer(context.Services.Time.TimestampFrequency),
                _ => RoundRobinBalancer.Instance,
            };
            var lean = LeanFor(transformer, upstream, context);
            forward = new ForwardStep(pool, balancer, canary, upstream, ForwardStep.ConfigFor(upstream), transformer, context.Services, fallback, context.Services.Upstream.InvokerFor(upstream.Protocol is UpstreamProtocol.Https or UpstreamProtocol.Grpcs ? policies.BackendTls : null),
                policies.Mirror is { } mirror ? new Mirror(mirror, context.Services.Mirrors) : null,
                lean);

            // The loop serves a route whose steps it runs itself (redirects, CORS, rate limits, allow/deny lists, basic
            // auth and JWT, custom-headers) and whose transforms it writes (rewrite-target, upstream-vhost, the auth-set headers): round
            // robin (a canary's rules too), no mirror, default backend, client certificate, limit-rate or answer buffering. Requests it hands over run this pipeline.
            if (clientCert is null && lean is not null && transformer.LoopCapable && Fast.LoopSteps.From(steps, out var corsAt, out var loopAccess, out var loopAccessAt, out var custom, out var customAt) is { } loopSteps && balancer is RoundRobinBalancer
                && fallback is null && policies.Mirror is null && upstream.LimitRateBytes == 0 && !upstream.ResponseBuffering)
            {
                var loop = new Fast.LoopRoute(pool, upstream, lean.Upstream, context.Forwarding, context.Services, transformer)
                {
                    Steps = loopSteps,
                    CorsAt = corsAt,
                    Custom = custom,
                    CustomAt = customAt,
                    Access = loopAccess,
                    AccessAt = loopAccessAt,
                    Canary = canary,
                    Cors = cors is null ? null : new Fast.LoopCors(cors),
                };
                return new RoutePipeline([.. steps], forward, loop);
            }
        }

        return new RoutePipeline([.. steps], forward);
    }

    /// <summary>The lean HTTP/1.1 client for a route to an HTTP/1.1 backend whose transforms it has, unless ALB_LEAN_H1=0; else null (YARP).</summary>
    private static Proxy.Lean.LeanForwarder? LeanFor(RouteTransformer transformer, UpstreamPolicy upstream, PipelineContext context) =>
        transformer.LeanCapable && upstream.Protocol == UpstreamProtocol.Http && upstream.HttpVersion == "1.1" && context.Services.Upstream.Lean is { } lean
            ? new Proxy.Lean.LeanForwarder(lean, transformer, TimeSpan.FromMilliseconds(Math.Max(upstream.ReadTimeoutMs, upstream.SendTimeoutMs)))
            : null;

    /// <summary>Runs the steps; returns the upstream address when the request was forwarded.</summary>
    public async ValueTask<string?> InvokeAsync(HttpContext context)
    {
        foreach (var step in _steps)
        {
            if (await step.InvokeAsync(context).ConfigureAwait(false))
            {
                return null;
            }
        }

        if (_forward is null)
        {
            await Answers.WriteStatusAsync(context, StatusCodes.Status404NotFound).ConfigureAwait(false);
            return null;
        }

        return await _forward.InvokeAsync(context).ConfigureAwait(false);
    }
}

/// <summary>What compiling a pipeline needs beyond the route: settings, the HTTPS port, shared services and kept state.</summary>
internal sealed record PipelineContext(GlobalSettings Settings, int HttpsPort, ForwardServices Services, Func<string, RateLimitPolicy, RateLimitState> Limits, Func<string, BackendPool?> Pool)
{
    /// <summary>The JWKS URLs this publish uses (the publisher stops the others once the new state is in).</summary>
    public HashSet<string> JwksUrls { get; } = new(StringComparer.Ordinal);

    /// <summary>The shared source of a JWKS URL; its first fetch starts now, at publish.</summary>
    public JwksSource Jwks(string url)
    {
        JwksUrls.Add(url);
        return Services.Jwks.Get(url);
    }

    public ForwardingSettings Forwarding { get; } = new(Settings.ForwardedForHeader, Settings.UseForwardedHeaders && Settings.ComputeFullForwardedFor, new ResponseHeaders(Settings));
}
