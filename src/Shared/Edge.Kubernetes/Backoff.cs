namespace Edge.Kubernetes;

/// <summary>
/// Exponential backoff with full jitter: attempt n waits a uniform random time in [0, min(cap, base × 2^n)], at least
/// <see cref="Floor"/>, so replicas that lost the API server together do not come back in step.
/// </summary>
public sealed class Backoff(TimeSpan initial, TimeSpan cap, Random? random = null)
{
    public static readonly TimeSpan Floor = TimeSpan.FromMilliseconds(50);
    private readonly Random _random = random ?? Random.Shared;
    private int _attempt;

    public static Backoff Default() => new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30));

    /// <summary>Failures since the last <see cref="Reset"/>.</summary>
    public int Attempts => _attempt;

    /// <summary>The wait before the next try; counts one more failure.</summary>
    public TimeSpan Next() => Next(cap);

    /// <summary>The wait before the next try under a lower ceiling than the usual cap (never above it); counts one more failure.</summary>
    public TimeSpan Next(TimeSpan ceilingCap)
    {
        var limit = Math.Min(cap.TotalMilliseconds, ceilingCap.TotalMilliseconds);
        var ceiling = Math.Min(limit, initial.TotalMilliseconds * Math.Pow(2, Math.Min(_attempt, 30)));
        _attempt++;
        return TimeSpan.FromMilliseconds(Math.Max(Floor.TotalMilliseconds, _random.NextDouble() * ceiling));
    }

    public void Reset() => _attempt = 0;
}
