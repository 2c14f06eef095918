using Alb.Proxy;

namespace Alb.Pipeline.Balancing;

/// <summary>
/// Picks the endpoint of one request for one route. <see cref="Completed"/> sees every attempt's outcome (EWMA learns
/// response times from it). Built at publish over the route's pool; state that must outlive a reload lives on
/// <see cref="EndpointState"/>.
/// </summary>
internal abstract class Balancer
{
    /// <param name="avoid">The endpoint that just failed in this request, if any.</param>
    public abstract EndpointState Pick(HttpContext context, BackendPool pool, EndpointState? avoid, long now);

    public virtual void Completed(EndpointState endpoint, double seconds, long now, long frequency)
    {
    }
}

/// <summary>Round robin over healthy endpoints (<see cref="BackendPool.Pick"/>).</summary>
internal sealed class RoundRobinBalancer : Balancer
{
    public static readonly RoundRobinBalancer Instance = new();

    public override EndpointState Pick(HttpContext context, BackendPool pool, EndpointState? avoid, long now) => pool.Pick(now, avoid)!;
}

/// <summary>
/// ingress-nginx's <c>ewma</c>: two endpoints drawn at random (not the one that just failed), the lower decayed
/// score wins; every response time updates the endpoint's average.
/// </summary>
internal sealed class EwmaBalancer(long frequency) : Balancer
{
    public override EndpointState Pick(HttpContext context, BackendPool pool, EndpointState? avoid, long now)
    {
        var endpoints = pool.Endpoints;
        if (endpoints.Length == 1)
        {
            return endpoints[0];
        }

        var a = Draw(endpoints, avoid, now, null);
        var b = Draw(endpoints, avoid, now, a);
        return b is null || a.EwmaScore(now, frequency) <= b.EwmaScore(now, frequency) ? a : b;
    }

    public override void Completed(EndpointState endpoint, double seconds, long now, long frequency) => endpoint.RecordResponse(seconds, now, frequency);

    private static EndpointState Draw(EndpointState[] endpoints, EndpointState? avoid, long now, EndpointState? other)
    {
        for (var i = 0; i < 8; i++)
        {
            var candidate = endpoints[Random.Shared.Next(endpoints.Length)];
            if (candidate != avoid && candidate != other && candidate.IsHealthy(now))
            {
                return candidate;
            }
        }

        foreach (var candidate in endpoints)
        {
            if (candidate != avoid && candidate != other)
            {
                return candidate;
            }
        }

        return other ?? endpoints[0];
    }
}
