namespace AlbOperator.Core.Desired;

/// <summary>The ports and timings of an alb pod.</summary>
public static class AlbPorts
{
    /// <summary>alb's own defaults (<c>alb serve --help</c>): unprivileged, in the pod's network namespace.</summary>
    public const int Http = 8080;
    public const int Https = 8443;

    /// <summary>With <c>hostNetwork</c> alb listens on the node's 80 and 443 (and needs NET_BIND_SERVICE).</summary>
    public const int HostHttp = 80;
    public const int HostHttps = 443;

    /// <summary>alb's admin listener (<c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c>); its default port, bound to every address so probes reach it.</summary>
    public const int Admin = 10254;

    /// <summary>vipd's admin listener (its default), on the node's loopback.</summary>
    public const int VipdAdmin = 9105;

    /// <summary>
    /// Drain: the preStop pause keeps serving while the pod leaves the Service's endpoints and load balancers stop
    /// sending; then SIGTERM, and alb finishes in-flight requests for up to <see cref="ShutdownTimeoutSeconds"/>.
    /// The grace period covers both with a margin.
    /// </summary>
    public const int PreStopPauseSeconds = 10;
    public const int ShutdownTimeoutSeconds = 30;
    public const int TerminationGracePeriodSeconds = PreStopPauseSeconds + ShutdownTimeoutSeconds + 5;

    public static int HttpPort(bool hostNetwork) => hostNetwork ? HostHttp : Http;

    public static int HttpsPort(bool hostNetwork) => hostNetwork ? HostHttps : Https;
}
