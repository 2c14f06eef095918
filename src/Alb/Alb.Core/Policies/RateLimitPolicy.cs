using Alb.Core.Routing;

namespace Alb.Core.Policies;

/// <summary>
/// Per client address, per replica, as ingress-nginx's limit_req/limit_conn zones: <see cref="RequestsPerSecond"/> and
/// <see cref="RequestsPerMinute"/> (0 = off) each with a burst of rate × <see cref="BurstMultiplier"/> served without
/// delay; <see cref="Connections"/> concurrent requests (0 = off). Clients in <see cref="Exempt"/> are not limited.
/// </summary>
public sealed record RateLimitPolicy(
    int RequestsPerSecond,
    int RequestsPerMinute,
    int Connections,
    int BurstMultiplier,
    EquatableArray<string> Exempt);
