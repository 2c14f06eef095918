using Alb.Core.Routing;

namespace Alb.Proxy.Lean;

/// <summary>
/// The lean HTTP/1.1 upstream client's settings, switch and pools. On unless ALB_LEAN_H1=0 at start (issue 15: 20-35 %
/// less CPU per request, docs/benchmarks.md); plain HTTP/1.1 routes forward through <see cref="LeanForwarder"/> and
/// everything else through YARP.
/// One timer sweeps every pool (idle connections past upstream-keepalive-timeout, or that the backend closed); a
/// publish closes the pools of endpoints that left the table (<see cref="Retain"/>).
/// </summary>
internal sealed class LeanUpstream : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<EndpointState, LeanPool> _pools = new(ReferenceEqualityComparer.Instance);
    private readonly ITimer _sweeper;

    public LeanUpstream(GlobalSettings settings, TimeProvider time)
    {
        Time = time;
        ConnectTimeout = TimeSpan.FromSeconds(settings.ProxyConnectTimeoutSeconds);
        IdleTimeoutTicks = (long)(settings.UpstreamKeepaliveTimeoutSeconds * time.TimestampFrequency);
        MaxIdle = settings.UpstreamKeepaliveConnections;
        RequestsPerConnection = settings.UpstreamKeepaliveRequests;
        SweepPeriod = SweepPeriodFor(TimeSpan.FromSeconds(settings.UpstreamKeepaliveTimeoutSeconds));
        _sweeper = time.CreateTimer(static s => ((LeanUpstream)s!).Sweep(), this, SweepPeriod, SweepPeriod);
    }

    public static bool Enabled { get; } = Environment.GetEnvironmentVariable("ALB_LEAN_H1") != "0";

    public TimeProvider Time { get; }

    public TimeSpan ConnectTimeout { get; }

    public long IdleTimeoutTicks { get; }

    public int MaxIdle { get; }

    public int RequestsPerConnection { get; }

    /// <summary>How often idle connections are looked at: a quarter of the timeout, between 100 ms and 5 s.</summary>
    public TimeSpan SweepPeriod { get; }

    public static TimeSpan SweepPeriodFor(TimeSpan idleTimeout) =>
        TimeSpan.FromTicks(Math.Clamp(idleTimeout.Ticks / 4, TimeSpan.FromMilliseconds(100).Ticks, TimeSpan.FromSeconds(5).Ticks));

    public LeanPool PoolFor(EndpointState endpoint)
    {
        if (endpoint.LeanPool is LeanPool pool && !pool.Closed && ReferenceEquals(pool.Settings, this))
        {
            return pool;
        }

        lock (_lock)
        {
            if (_pools.TryGetValue(endpoint, out var existing) && !existing.Closed)
            {
                endpoint.LeanPool = existing;
                return existing;
            }

            // A request of the previous table to an endpoint that left it gets a pool too: swept when idle, dropped at the next publish.
            var created = new LeanPool(LeanPool.Resolve(endpoint.Authority), this);
            _pools[endpoint] = created;
            endpoint.LeanPool = created;
            return created;
        }
    }

    /// <summary>After a publish: the pools of endpoints not in <paramref name="live"/> are closed (their idle connections now, busy ones when they come back).</summary>
    public void Retain(IEnumerable<EndpointState> live)
    {
        var keep = new HashSet<EndpointState>(live, ReferenceEqualityComparer.Instance);
        List<LeanPool> gone = [];
        lock (_lock)
        {
            foreach (var endpoint in _pools.Keys.Where(e => !keep.Contains(e)).ToList())
            {
                gone.Add(_pools[endpoint]);
                _pools.Remove(endpoint);
            }
        }

        foreach (var pool in gone)
        {
            pool.Close();
        }
    }

    /// <summary>Closes idle connections past the timeout, or readable while idle (closed by the backend, or stray bytes).</summary>
    public void Sweep()
    {
        LeanPool[] pools;
        lock (_lock)
        {
            if (_pools.Count == 0)
            {
                return;
            }

            pools = [.. _pools.Values];
        }

        var now = Time.GetTimestamp();
        foreach (var pool in pools)
        {
            pool.CloseIdle(now);
        }
    }

    public void Dispose()
    {
        _sweeper.Dispose();
        Retain([]);
    }
}
