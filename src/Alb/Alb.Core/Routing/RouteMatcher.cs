using System.Collections.Frozen;

namespace Alb.Core.Routing;

/// <summary>
/// Ingress matching compiled from a <see cref="RouteTable"/>: the host picks one server (exact, then single-label
/// wildcard, then the catch-all), then the path picks one route in that server (Exact, then the longest Prefix),
/// else the server's fallback. Paths are case-sensitive; hosts are not. Allocation-free per lookup.
/// </summary>
public sealed class RouteMatcher
{
    private readonly FrozenDictionary<string, HostEntry>.AlternateLookup<ReadOnlySpan<char>> _exactHosts;
    private readonly FrozenDictionary<string, HostEntry>.AlternateLookup<ReadOnlySpan<char>> _wildcardHosts;
    private readonly HostEntry _catchAll;

    private readonly Dictionary<VirtualHost, HostEntry> _entries = new(ReferenceEqualityComparer.Instance);

    /// <param name="table">The table to match.</param>
    /// <param name="previous">The matcher of the table in service: a host that is the same object there (see
    /// <see cref="RouteTableReuse"/>) keeps its compiled entry.</param>
    public RouteMatcher(RouteTable table, RouteMatcher? previous = null)
    {
        Table = table;
        var exact = new Dictionary<string, HostEntry>(StringComparer.OrdinalIgnoreCase);
        var wildcard = new Dictionary<string, HostEntry>(StringComparer.OrdinalIgnoreCase);
        HostEntry? catchAll = null;
        foreach (var host in table.Hosts)
        {
            if (previous is null || !previous._entries.TryGetValue(host, out var entry))
            {
                entry = new HostEntry(host);
            }

            _entries[host] = entry;
            if (host.Host == RouteTable.CatchAllHost)
            {
                catchAll = entry;
            }
            else if (host.Host.StartsWith("*.", StringComparison.Ordinal))
            {
                wildcard[host.Host[2..]] = entry;
            }
            else
            {
                exact[host.Host] = entry;
            }
        }

        // Aliases come after every real host: a name that is some host's own never goes to an alias.
        foreach (var host in table.Hosts)
        {
            foreach (var alias in host.Aliases)
            {
                var entry = exact.GetValueOrDefault(host.Host) ?? wildcard.GetValueOrDefault(host.Host.StartsWith("*.", StringComparison.Ordinal) ? host.Host[2..] : host.Host);
                if (entry is null)
                {
                    continue;
                }

                if (alias.StartsWith("*.", StringComparison.Ordinal))
                {
                    wildcard.TryAdd(alias[2..], entry);
                }
                else
                {
                    exact.TryAdd(alias, entry);
                }
            }
        }

        _exactHosts = exact.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();
        _wildcardHosts = wildcard.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();
        _catchAll = catchAll ?? new HostEntry(new VirtualHost(RouteTable.CatchAllHost, [], null));
    }

    public RouteTable Table { get; }

    /// <summary>The server a Host header selects, and how.</summary>
    public (VirtualHost Host, HostMatch How) SelectHost(ReadOnlySpan<char> hostHeader)
    {
        var entry = FindHost(NormalizeHost(hostHeader), out var how);
        return (entry.Host, how);
    }

    public RouteMatch Match(ReadOnlySpan<char> hostHeader, ReadOnlySpan<char> path)
    {
        var entry = FindHost(NormalizeHost(hostHeader), out _);
        if (path.IsEmpty)
        {
            path = "/";
        }

        if (entry.Regexes is { } regexes)
        {
            // Regex mode: the first pattern, in ingress-nginx's order, that matches at the start of the path wins.
            for (var i = 0; i < regexes.Length; i++)
            {
                if (Matches(regexes[i], path))
                {
                    return new RouteMatch(entry.Host, entry.Host.Routes[i], false);
                }
            }

            return new RouteMatch(entry.Host, entry.Host.Fallback, true);
        }

        if (entry.ExactPaths.TryGetValue(path, out var exact))
        {
            return new RouteMatch(entry.Host, exact, false);
        }

        foreach (var route in entry.Prefixes)
        {
            if (PrefixMatches(route.Path, path))
            {
                return new RouteMatch(entry.Host, route, false);
            }
        }

        return new RouteMatch(entry.Host, entry.Host.Fallback, true);
    }

    /// <summary>A regex path match; a match that runs out of time (only the interpreter has a timeout) is no match.</summary>
    private static bool Matches(System.Text.RegularExpressions.Regex regex, ReadOnlySpan<char> path)
    {
        try
        {
            return regex.IsMatch(path);
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>Whether <paramref name="route"/> of <paramref name="host"/> matches <paramref name="path"/>; the one rule both Match and explain use.</summary>
    public static bool PathMatches(VirtualHost host, Route route, string path) =>
        host.RegexPaths ? Matches(PathRegex.Match(route.Path), path)
        : route.Kind == PathKind.Exact ? path.AsSpan().SequenceEqual(route.Path) : PrefixMatches(route.Path, path);

    /// <summary>Element-wise prefix: <c>/foo</c> matches <c>/foo</c>, <c>/foo/</c>, <c>/foo/bar</c>, not <c>/foobar</c>.</summary>
    private static bool PrefixMatches(string prefix, ReadOnlySpan<char> path) =>
        prefix.Length == 1 ||
        (path.StartsWith(prefix, StringComparison.Ordinal) && (path.Length == prefix.Length || path[prefix.Length] == '/'));

    /// <summary>Drops the port and a trailing dot: <c>Foo.com.:8080</c> → <c>Foo.com</c>; <c>[::1]:80</c> → <c>[::1]</c>.</summary>
    public static ReadOnlySpan<char> NormalizeHost(ReadOnlySpan<char> host)
    {
        if (host.Length > 0 && host[0] == '[')
        {
            var close = host.IndexOf(']');
            return close > 0 ? host[..(close + 1)] : host;
        }

        var colon = host.LastIndexOf(':');
        if (colon >= 0)
        {
            host = host[..colon];
        }

        return host.Length > 1 && host[^1] == '.' ? host[..^1] : host;
    }

    private HostEntry FindHost(ReadOnlySpan<char> host, out HostMatch how)
    {
        if (_exactHosts.TryGetValue(host, out var entry))
        {
            how = HostMatch.Exact;
            return entry;
        }

        var dot = host.IndexOf('.');
        if (dot > 0 && _wildcardHosts.TryGetValue(host[(dot + 1)..], out entry))
        {
            how = HostMatch.Wildcard;
            return entry;
        }

        how = HostMatch.CatchAll;
        return _catchAll;
    }

    private sealed class HostEntry
    {
        public HostEntry(VirtualHost host)
        {
            Host = host;
            ExactPaths = host.Routes.Where(r => r.Kind == PathKind.Exact)
                .ToFrozenDictionary(r => r.Path, StringComparer.Ordinal)
                .GetAlternateLookup<ReadOnlySpan<char>>();
            Prefixes = [.. host.Routes.Where(r => r.Kind != PathKind.Exact)];
            Regexes = host.RegexPaths ? [.. host.Routes.Select(r => PathRegex.Match(r.Path))] : null;
        }

        /// <summary>Regex mode: one compiled pattern per route, in route order.</summary>
        public System.Text.RegularExpressions.Regex[]? Regexes { get; }

        public VirtualHost Host { get; }

        public FrozenDictionary<string, Route>.AlternateLookup<ReadOnlySpan<char>> ExactPaths { get; }

        public Route[] Prefixes { get; }
    }
}

public enum HostMatch
{
    Exact,
    Wildcard,
    CatchAll,
}

/// <summary>The outcome of a lookup. <see cref="Route"/> null = the global default backend (404).</summary>
public readonly record struct RouteMatch(VirtualHost Host, Route? Route, bool IsFallback);
