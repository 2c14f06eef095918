namespace Alb.Core.Policies;

/// <summary>
/// A canary Ingress's backend attached to a primary route, and how ingress-nginx's Lua balancer picks it per request:
/// header (<see cref="HeaderValue"/> exact, else <see cref="HeaderPattern"/>, else <c>always</c>/<c>never</c>), then
/// cookie (<c>always</c>/<c>never</c>), then <c>random(1..WeightTotal) ≤ Weight</c>. A canary without ready
/// endpoints is never picked.
/// </summary>
public sealed record CanaryPolicy(
    string BackendId,
    string Ingress,
    string? Header,
    string? HeaderValue,
    string? HeaderPattern,
    bool HeaderPatternInvalid,
    string? Cookie,
    int Weight,
    int WeightTotal);
