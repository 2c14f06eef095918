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

    public bool IsHealthy(long nowTicks) => Volatile.Read(ref _failedUntil) <= nowTicks;

    public void MarkFailed(long nowTicks) => Volatile.Write(ref _failedUntil, nowTicks + FailTimeout.Ticks);
}
