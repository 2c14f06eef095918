using Alb.Core.Routing;

namespace Alb.Core.Policies;

/// <summary>
/// <c>allowlist-source-range</c> and <c>denylist-source-range</c> as nginx's allow/deny run them: a client in
/// <see cref="Deny"/> is refused; when <see cref="Allow"/> is non-empty, a client outside it is refused. Refusals are 403.
/// </summary>
public sealed record SourceRangePolicy(EquatableArray<string> Allow, EquatableArray<string> Deny);
