using Alb.Core.Policies;
using Alb.Core.Routing;

namespace Alb.Core.Translation;

/// <summary>Collects one host's routes; the first (oldest) Ingress to claim a path keeps it.</summary>
internal sealed class HostBuilder(string host, Route? fallback, bool regexPaths)
{
    private readonly Dictionary<(bool Exact, string Path), (Route Route, string Owner, List<string>? Shadowed, int Order)> _routes = [];

    public string Host { get; } = host;

    public Route? Fallback { get; set; } = fallback;

    public bool RegexPaths { get; } = regexPaths;

    /// <summary>server-alias of the first Ingress of this host that sets one, and that Ingress.</summary>
    public EquatableArray<string> Aliases { get; set; }

    public string? AliasOwner { get; set; }

    /// <summary>An Ingress of this host set ssl-passthrough (and which one, for diagnostics).</summary>
    public string? PassthroughOwner { get; set; }

    /// <summary>The client-certificate policy of the host: the oldest Ingress of the host with auth-tls-secret sets it, and which one.</summary>
    public ClientCertPolicy? ClientCert { get; private set; }

    public string? ClientCertOwner { get; private set; }

    /// <summary>Takes <paramref name="policy"/> if the host has none yet; false when an older Ingress set different settings.</summary>
    public bool TryClaimClientCert(ClientCertPolicy policy, string owner, out string winner)
    {
        if (ClientCert is null)
        {
            (ClientCert, ClientCertOwner) = (policy, owner);
        }

        winner = ClientCertOwner!;
        return ClientCert.Equals(policy);
    }

    /// <summary>An Ingress path of this host set from-to-www-redirect.</summary>
    public bool RedirectFromToWww { get; set; }

    public bool TryAdd(Route route, string owner, out string winner)
    {
        var key = (route.Kind == PathKind.Exact, route.Path);
        if (_routes.TryGetValue(key, out var existing))
        {
            if (existing.Shadowed is null)
            {
                existing.Shadowed = [];
                _routes[key] = existing;
            }

            existing.Shadowed.Add(owner);
            winner = existing.Owner;
            return false;
        }

        _routes[key] = (route, owner, null, _routes.Count); // the shadowed list is made when a path is shadowed
        winner = owner;
        return true;
    }

    /// <summary>The route of this path and kind, if any.</summary>
    public Route? Find(PathKind kind, string path) =>
        _routes.TryGetValue((kind == PathKind.Exact, path), out var existing) ? existing.Route : null;

    /// <summary>Replaces the route of this path and kind (Exact, or Prefix/ImplementationSpecific), if there is one.</summary>
    public bool TryUpdate(PathKind kind, string path, Func<Route, Route?> update)
    {
        var key = (kind == PathKind.Exact, path);
        if (!_routes.TryGetValue(key, out var existing) || update(existing.Route) is not { } updated)
        {
            return false;
        }

        _routes[key] = existing with { Route = updated };
        return true;
    }

    /// <summary>
    /// Routes in match order. Plain hosts: Exact before Prefix, longer paths first, then by path and kind. Regex hosts,
    /// as ingress-nginx sorts locations: longer paths first, then by path bytes descending, then in Ingress order.
    /// </summary>
    public VirtualHost Build()
    {
        var entries = _routes.Values.Select(v => (Route: v.Shadowed is null ? v.Route : v.Route with { Shadowed = v.Shadowed.ToEquatableArray() }, v.Order));
        var ordered = RegexPaths
            ? entries.OrderByDescending(e => e.Route.Path.Length).ThenByDescending(e => e.Route.Path, StringComparer.Ordinal).ThenBy(e => e.Order)
            : entries.OrderBy(e => e.Route.Kind == PathKind.Exact ? 0 : 1)
                .ThenByDescending(e => e.Route.Path.Length)
                .ThenBy(e => e.Route.Path, StringComparer.Ordinal)
                .ThenBy(e => e.Route.Kind);
        return new VirtualHost(Host, ordered.Select(e => e.Route).ToEquatableArray(), Fallback) { RegexPaths = RegexPaths, Aliases = Aliases, ClientCert = ClientCert };
    }
}
