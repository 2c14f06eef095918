using Alb.Core.Routing;

namespace Alb.Core.Translation;

/// <summary>Collects one host's routes; the first (oldest) Ingress to claim a path keeps it.</summary>
internal sealed class HostBuilder(string host, Route? fallback)
{
    private readonly Dictionary<(bool Exact, string Path), (Route Route, string Owner, List<string> Shadowed)> _routes = [];

    public string Host { get; } = host;

    public Route? Fallback { get; set; } = fallback;

    public bool TryAdd(Route route, string owner, out string winner)
    {
        var key = (route.Kind == PathKind.Exact, route.Path);
        if (_routes.TryGetValue(key, out var existing))
        {
            existing.Shadowed.Add(owner);
            winner = existing.Owner;
            return false;
        }

        _routes[key] = (route, owner, []);
        winner = owner;
        return true;
    }

    /// <summary>Routes in match order: Exact before Prefix, longer paths first, then by path and kind.</summary>
    public VirtualHost Build() =>
        new(
            Host,
            _routes.Values
                .Select(v => v.Shadowed.Count == 0 ? v.Route : v.Route with { Shadowed = v.Shadowed.ToEquatableArray() })
                .OrderBy(r => r.Kind == PathKind.Exact ? 0 : 1)
                .ThenByDescending(r => r.Path.Length)
                .ThenBy(r => r.Path, StringComparer.Ordinal)
                .ThenBy(r => r.Kind)
                .ToEquatableArray(),
            Fallback);
}
