using Alb.Core.Routing;

namespace Alb.Core.Policies;

/// <summary>
/// <c>default-backend</c> and <c>custom-http-errors</c>: <see cref="BackendId"/> answers when the route's Service has
/// no ready endpoint, and a backend answer with a status in <see cref="InterceptCodes"/> is replaced by the default
/// backend's answer to <c>GET /</c> with X-Code and friends (alb's own status page when there is no default backend).
/// </summary>
public sealed record ErrorsPolicy(string? BackendId, EquatableArray<int> InterceptCodes);
