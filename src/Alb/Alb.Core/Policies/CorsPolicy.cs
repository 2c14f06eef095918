using Alb.Core.Routing;

namespace Alb.Core.Policies;

/// <summary>
/// CORS as ingress-nginx answers it. <see cref="AnyOrigin"/>: every origin is allowed (<c>*</c>); otherwise an origin
/// is allowed when it equals one of <see cref="Origins"/> or matches one of <see cref="WildcardOrigins"/>
/// (<c>scheme://*.example.com[:port]</c>, one label). An empty allow list (a value that failed validation) allows no origin.
/// </summary>
public sealed record CorsPolicy(
    bool AnyOrigin,
    EquatableArray<string> Origins,
    EquatableArray<WildcardOrigin> WildcardOrigins,
    string AllowMethods,
    string AllowHeaders,
    string? ExposeHeaders,
    bool AllowCredentials,
    int MaxAgeSeconds);

/// <summary>An origin pattern <c>Scheme://*.Suffix[:Port]</c> matching exactly one more label before <see cref="Suffix"/>.</summary>
public sealed record WildcardOrigin(string Scheme, string Suffix, string? Port);
