using Alb.Core.Routing;

namespace Alb.Proxy;

/// <summary>
/// One upstream address, kept across reloads so its passive-health mark survives a config change.
/// A failure takes it out of rotation for <see cref="FailTimeout"/> (nginx's max_fails=1 fail_timeout=10s).
/// </summary>
internal sealed class EndpointState(string authority)
{
    public static readonly TimeSpan FailTimeout = TimeSpan.FromSeconds(10);

    private const double EwmaDecaySeconds = 10;

    private readonly Lock _ewmaLock = new();
    private long _failedUntil;
    private double _ewma;
    private long _ewmaLast;

    public string Authority { get; } = authority;

    /// <summary>"http://host:port/" as YARP's forwarder wants its destination prefix.</summary>
    public string HttpPrefix { get; } = $"http://{authority}/";

    /// <summary>"https://host:port/" for HTTPS and GRPCS backends.</summary>
    public string HttpsPrefix { get; } = $"https://{authority}/";

    /// <summary>The lean HTTP/1.1 client's idle connections to this address (unless ALB_LEAN_H1=0).</summary>
    public Lean.LeanPool? LeanPool { get; set; }

    public string Prefix(UpstreamProtocol protocol) => protocol is UpstreamProtocol.Https or UpstreamProtocol.Grpcs ? HttpsPrefix : HttpPrefix;

    /// <param name="now">A <see cref="TimeProvider.GetTimestamp"/> value.</param>
    public bool IsHealthy(long now) => Volatile.Read(ref _failedUntil) <= now;

    /// <summary>
    /// ingress-nginx's EWMA score: the moving average of response times (seconds) decayed to <paramref name="now"/>
    /// with a 10 s time constant; idle endpoints drift towards 0. Shared by every route of this address, as there.
    /// </summary>
    public double EwmaScore(long now, long frequency)
    {
        lock (_ewmaLock)
        {
            return _ewmaLast == 0 ? 0 : _ewma * Math.Exp(-Math.Max(0, now - _ewmaLast) / (double)frequency / EwmaDecaySeconds);
        }
    }

    /// <summary>Folds one response time (seconds) into the average.</summary>
    public void RecordResponse(double seconds, long now, long frequency)
    {
        lock (_ewmaLock)
        {
            var weight = _ewmaLast == 0 ? 0 : Math.Exp(-Math.Max(0, now - _ewmaLast) / (double)frequency / EwmaDecaySeconds);
            _ewma = (_ewma * weight) + (seconds * (1 - weight));
            _ewmaLast = now;
        }
    }

    /// <param name="now">A <see cref="TimeProvider.GetTimestamp"/> value.</param>
    /// <param name="timestampFrequency">Its ticks per second (<see cref="TimeProvider.TimestampFrequency"/>).</param>
    public void MarkFailed(long now, long timestampFrequency) =>
        Volatile.Write(ref _failedUntil, now + (long)(FailTimeout.TotalSeconds * timestampFrequency));
}
