using Alb.Core.Routing;

namespace Alb.Proxy.Lean;

/// <summary>
/// The lean HTTP/1.1 upstream client's settings and switch. Off unless ALB_LEAN_H1=1 at start (an experiment of
/// issue 15); when on, plain HTTP/1.1 routes forward through <see cref="LeanForwarder"/> and everything else through YARP.
/// </summary>
internal sealed class LeanUpstream(GlobalSettings settings, TimeProvider time)
{
    public static bool Enabled { get; } = Environment.GetEnvironmentVariable("ALB_LEAN_H1") == "1";

    public TimeProvider Time { get; } = time;

    public TimeSpan ConnectTimeout { get; } = TimeSpan.FromSeconds(settings.ProxyConnectTimeoutSeconds);

    public long IdleTimeoutTicks { get; } = (long)(settings.UpstreamKeepaliveTimeoutSeconds * time.TimestampFrequency);

    public int MaxIdle { get; } = settings.UpstreamKeepaliveConnections;

    public int RequestsPerConnection { get; } = settings.UpstreamKeepaliveRequests;

    public LeanPool PoolFor(EndpointState endpoint)
    {
        if (endpoint.LeanPool is LeanPool pool && ReferenceEquals(pool.Settings, this))
        {
            return pool;
        }

        var created = new LeanPool(LeanPool.Resolve(endpoint.Authority), this);
        endpoint.LeanPool = created;
        return created;
    }
}
