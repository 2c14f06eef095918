using Alb.Core.Routing;

namespace Alb.Proxy;

/// <summary>
/// One upstream address, kept across reloads so its passive-health mark survives a config change.
/// A failure takes it out of rotation for <see cref="FailTimeout"/> (nginx's max_fails=1 fail_timeout=10s).
/// </summary>
internal sealed class EndpointState(string authority)
{
    public static readonly TimeSpan FailTimeout = TimeSpan.FromSeconds(10);

    private long _failedUntil;

    public string Authority { get; } = authority;

    /// <summary>"http://host:port/" as YARP's forwarder wants its destination prefix.</summary>
    public string HttpPrefix { get; } = $"http://{authority}/";

    /// <summary>"https://host:port/" for HTTPS and GRPCS backends.</summary>
    public string HttpsPrefix { get; } = $"https://{authority}/";

    public string Prefix(UpstreamProtocol protocol) => protocol is UpstreamProtocol.Https or UpstreamProtocol.Grpcs ? HttpsPrefix : HttpPrefix;

    /// <param name="now">A <see cref="TimeProvider.GetTimestamp"/> value.</param>
    public bool IsHealthy(long now) => Volatile.Read(ref _failedUntil) <= now;

    /// <param name="now">A <see cref="TimeProvider.GetTimestamp"/> value.</param>
    /// <param name="timestampFrequency">Its ticks per second (<see cref="TimeProvider.TimestampFrequency"/>).</param>
    public void MarkFailed(long now, long timestampFrequency) =>
        Volatile.Write(ref _failedUntil, now + (long)(FailTimeout.TotalSeconds * timestampFrequency));
}
