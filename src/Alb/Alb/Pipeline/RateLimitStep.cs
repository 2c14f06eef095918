using System.Net;
using Alb.Core.Policies;

namespace Alb.Pipeline;

/// <summary>
/// limit-rps / limit-rpm (limit_req, each with burst = rate × limit-burst-multiplier, nodelay) then limit-connections
/// (limit_conn), per client address, per replica. Refused with the ConfigMap's limit-req-status-code /
/// limit-conn-status-code (503 by default). Clients in limit-allowlist pass untouched.
/// </summary>
internal sealed class RateLimitStep(RateLimitState state, int reqStatus, int connStatus) : RouteStep, ILoopStep
{
    /// <summary>Without limit-connections the step is decided by the address alone; with it, a connection slot is held for the request's length (the loop holds it too).</summary>
    public bool AddressOnly => state.Connections is null;

    public override async ValueTask<bool> InvokeAsync(HttpContext context)
    {
        var client = ClientAddress.Of(context) ?? IPAddress.None;
        if (Exempt(client))
        {
            return false;
        }

        if (!WithinRate(client))
        {
            await Answers.WriteStatusAsync(context, reqStatus).ConfigureAwait(false);
            return true;
        }

        if (state.Connections is { } connections)
        {
            if (connections.TryAcquire(client) is not { } release)
            {
                await Answers.WriteStatusAsync(context, connStatus).ConfigureAwait(false);
                return true;
            }

            context.Response.RegisterForDispose(release);
        }

        return false;
    }

    /// <summary>limit-rps and limit-rpm for the address (a token taken when it passes); the exempt list first.</summary>
    public int Answer(in LoopRequest request, out string? location)
    {
        location = null;
        return Exempt(request.Client) || WithinRate(request.Client) ? 0 : reqStatus;
    }

    /// <summary>
    /// As <see cref="Answer(in LoopRequest, out string?)"/>, then limit-connections: a slot taken for the request's
    /// length (<paramref name="held"/>, released by whoever ends the exchange), or the connection limit's status.
    /// </summary>
    public int Answer(in LoopRequest request, out IDisposable? held)
    {
        held = null;
        var client = request.Client;
        if (Exempt(client))
        {
            return 0;
        }

        if (!WithinRate(client))
        {
            return reqStatus;
        }

        return state.Connections is { } connections && (held = connections.TryAcquire(client)) is null ? connStatus : 0;
    }

    private bool Exempt(IPAddress client) => state.Exempt.Length > 0 && SourceRangeStep.Contains(state.Exempt, client);

    private bool WithinRate(IPAddress client) =>
        (state.PerSecond is not { } rps || rps.TryAcquire(client)) && (state.PerMinute is not { } rpm || rpm.TryAcquire(client));
}

/// <summary>The limiters of one route, kept across reloads while the route's id and policy stay the same.</summary>
internal sealed class RateLimitState
{
    public RateLimitState(RateLimitPolicy policy, TimeProvider time)
    {
        Policy = policy;
        PerSecond = policy.RequestsPerSecond > 0 ? new RequestRateLimiter(policy.RequestsPerSecond, policy.RequestsPerSecond * policy.BurstMultiplier, time) : null;
        PerMinute = policy.RequestsPerMinute > 0 ? new RequestRateLimiter(policy.RequestsPerMinute / 60.0, policy.RequestsPerMinute * policy.BurstMultiplier, time) : null;
        Connections = policy.Connections > 0 ? new ConnectionLimiter(policy.Connections) : null;
        Exempt = [.. policy.Exempt.Select(e => IPNetwork.Parse(e))];
    }

    public RateLimitPolicy Policy { get; }

    public RequestRateLimiter? PerSecond { get; }

    public RequestRateLimiter? PerMinute { get; }

    public ConnectionLimiter? Connections { get; }

    public IPNetwork[] Exempt { get; }
}
