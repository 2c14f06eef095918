using System.Text.Json.Serialization;

namespace Alb.Core.Policies;

/// <summary>How a route picks an endpoint (ingress-nginx precedence: cookie affinity, then upstream-hash-by, then load-balance).</summary>
public enum BalanceAlgorithm
{
    RoundRobin,
    Ewma,
    ConsistentHash,
    Sticky,
}

/// <summary>
/// The balancer of a route. <see cref="HashBy"/> is the <c>upstream-hash-by</c> template (nginx variables and text);
/// with <see cref="SubsetSize"/> &gt; 0 the hash picks a group of that many endpoints and a random one in it.
/// </summary>
public sealed record BalancePolicy(BalanceAlgorithm Algorithm)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? HashBy { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int SubsetSize { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AffinityPolicy? Affinity { get; init; }
}

/// <summary>
/// <c>affinity: cookie</c>: the cookie <see cref="CookieName"/> pins a client to an endpoint. Balanced mode hashes a
/// random token onto the endpoints (a scale-up moves some sessions); persistent mode names the endpoint (a new one
/// is picked, and the cookie re-set, only when it is gone). Attributes as ingress-nginx writes them.
/// </summary>
public sealed record AffinityPolicy(
    string CookieName,
    bool Persistent,
    string? Path,
    string? Domain,
    long? ExpiresSeconds,
    long? MaxAgeSeconds,
    string? SameSite,
    bool Secure,
    bool ConditionalSameSiteNone,
    bool ChangeOnFailure);
