using Alb.Core.Policies;
using Alb.Core.Routing;

namespace Alb.Core.Translation;

/// <summary>
/// Collects one host's routes; the first (oldest) Ingress to claim a path keeps it. A builder lives in the
/// <see cref="TranslationCache"/> while its host does: each translation starts it again (<see cref="Begin"/>), and when
/// the routes come in as the same instances, from the same owners, in the same order, with the same host settings,
/// <see cref="Build"/> gives the last translation's host again instead of sorting a new one. Its route table keeps its
/// capacity between translations.
/// </summary>
internal sealed class HostBuilder(string host)
{
    private readonly Dictionary<(bool Exact, string Path), (Route Route, string Owner, List<string>? Shadowed, int Order)> _routes = [];
    private List<(Route Route, string Owner)> _calls = []; // every TryAdd of this translation, in order
    private List<(Route Route, string Owner)> _lastCalls = []; // those that made _last
    private VirtualHost? _last;
    private Route? _fallback;
    private bool _updated;
    private bool _lastUpdated;

    public string Host { get; } = host;

    /// <summary>What answers when no path matches; the instance in service is kept when the new one is the same.</summary>
    public Route? Fallback
    {
        get => _fallback;
        set => _fallback = _last?.Fallback is { } kept && kept.Equals(value) ? kept : value;
    }

    public bool RegexPaths { get; private set; }

    /// <summary>Starts a translation: no routes, no settings; the last translation's host is kept to compare with.</summary>
    public HostBuilder Begin(Route? fallback, bool regexPaths)
    {
        _routes.Clear();
        _calls.Clear();
        _updated = false;
        Fallback = fallback;
        RegexPaths = regexPaths;
        Aliases = default;
        AliasOwner = null;
        PassthroughOwner = null;
        ClientCert = null;
        ClientCertOwner = null;
        RedirectFromToWww = false;
        return this;
    }

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
        _calls.Add((route, owner));
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
        _updated = true;
        return true;
    }

    /// <summary>
    /// Routes in match order. Plain hosts: Exact before Prefix, longer paths first, then by path and kind. Regex hosts,
    /// as ingress-nginx sorts locations: longer paths first, then by path bytes descending, then in Ingress order.
    /// </summary>
    public VirtualHost Build()
    {
        var same = _last is not null && !_updated && !_lastUpdated && SameCalls() && ReferenceEquals(_last.Fallback, Fallback) && _last.RegexPaths == RegexPaths
            && _last.Aliases.Equals(Aliases) && Equals(_last.ClientCert, ClientCert);
        (_calls, _lastCalls) = (_lastCalls, _calls); // _lastCalls: what made the host returned now
        _lastUpdated = _updated; // a canary joined a route: the calls alone do not say what the host was
        if (same)
        {
            return _last!; // the same input as last time: the same host
        }

        var entries = _routes.Values.Select(v => (Route: v.Shadowed is null ? v.Route : v.Route with { Shadowed = v.Shadowed.ToEquatableArray() }, v.Order));
        var ordered = RegexPaths
            ? entries.OrderByDescending(e => e.Route.Path.Length).ThenByDescending(e => e.Route.Path, StringComparer.Ordinal).ThenBy(e => e.Order)
            : entries.OrderBy(e => e.Route.Kind == PathKind.Exact ? 0 : 1)
                .ThenByDescending(e => e.Route.Path.Length)
                .ThenBy(e => e.Route.Path, StringComparer.Ordinal)
                .ThenBy(e => e.Route.Kind);
        return _last = new VirtualHost(Host, ordered.Select(e => e.Route).ToEquatableArray(), Fallback) { RegexPaths = RegexPaths, Aliases = Aliases, ClientCert = ClientCert };
    }

    /// <summary>The routes came in as the same instances from the same owners in the same order (shadowed ones included).</summary>
    private bool SameCalls()
    {
        if (_calls.Count != _lastCalls.Count)
        {
            return false;
        }

        for (var i = 0; i < _calls.Count; i++)
        {
            if (!ReferenceEquals(_calls[i].Route, _lastCalls[i].Route) || !string.Equals(_calls[i].Owner, _lastCalls[i].Owner, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
