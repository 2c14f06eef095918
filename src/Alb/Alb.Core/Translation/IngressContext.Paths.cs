using Alb.Core.Policies;
using Alb.Core.Routing;
using k8s.Models;

namespace Alb.Core.Translation;

/// <summary>What a context keeps for its paths while it is cached, so that a translation that reuses it builds nothing for them again.</summary>
internal sealed partial class IngressContext
{
    private Route?[]?[]? _lastRoutes; // by rule, then path: the routes of the last translation, kept while this context is cached
    private RegexCheck?[]?[]? _regexChecks; // by rule, then path: each regex path's check, kept while this context is cached
    private string[]? _regexHosts;

    /// <summary>
    /// The route of path <paramref name="p"/> of rule <paramref name="r"/>: the last translation's instance when it is the
    /// same route (same kind, path, backend and policies), else a new one, kept for the next translation. A context
    /// lives as long as its Ingress is unchanged (<see cref="TranslationCache"/>), so a change elsewhere costs no new
    /// route here, and the routes that survive into the new table are the ones already in service.
    /// </summary>
    public Route PathRoute(int r, int p, PathKind kind, string path, string? backendId, RoutePolicies policies)
    {
        var rules = Ingress.Spec?.Rules;
        var byRule = _lastRoutes ??= new Route?[]?[rules?.Count ?? 0];
        if (r >= byRule.Length)
        {
            return New(); // not a rule of this Ingress's spec: nothing to keep
        }

        var byPath = byRule[r] ??= new Route?[rules![r].Http?.Paths?.Count ?? 0];
        if (p >= byPath.Length)
        {
            return New();
        }

        if (byPath[p] is { } last && last.Kind == kind && last.Path == path && last.BackendId == backendId
            && (ReferenceEquals(last.Policies, policies) || last.Policies.Equals(policies)))
        {
            return last;
        }

        return byPath[p] = New();

        Route New() => new($"{Namespace}/{IngressName}/{r}/{p}", kind, path, backendId, new RouteSource(Namespace, IngressName, r, p), policies, []);
    }

    /// <summary>
    /// <see cref="PathRegex.TryValidate"/> of path <paramref name="p"/> of rule <paramref name="r"/>, checked once while
    /// this context is cached: the check compiles the regex, which cost a change at 10,000 Ingresses (5,000 regex
    /// paths) 30 ms and 30 MB when every translation repeated it.
    /// </summary>
    public bool TryRegexPath(int r, int p, string? path, out string normalized, out string? reason)
    {
        var rules = Ingress.Spec?.Rules;
        var byRule = _regexChecks ??= new RegexCheck?[]?[rules?.Count ?? 0];
        var byPath = r < byRule.Length ? byRule[r] ??= new RegexCheck?[rules![r].Http?.Paths?.Count ?? 0] : null;
        if (byPath is null || p >= byPath.Length)
        {
            return PathRegex.TryValidate(path, out normalized, out reason); // not a path of this Ingress's spec
        }

        if (byPath[p] is not { } check || !string.Equals(check.Path, path, StringComparison.Ordinal))
        {
            var valid = PathRegex.TryValidate(path, out var checkedPath, out var why);
            byPath[p] = check = new RegexCheck(path, valid, checkedPath, why);
        }

        (normalized, reason) = (check.Normalized, check.Reason);
        return check.Valid;
    }

    /// <summary>
    /// The hosts ("" = the catch-all) a path of this Ingress puts in regex mode, found once while the context is
    /// cached: every translation needs them for every Ingress, before any route is built.
    /// </summary>
    public string[] RegexHosts => _regexHosts ??= FindRegexHosts();

    private string[] FindRegexHosts()
    {
        List<string>? hosts = null;
        var rules = Ingress.Spec?.Rules ?? [];
        for (var r = 0; r < rules.Count; r++) // indexed: foreach over an IList boxes an enumerator
        {
            if (AnyEnforcesRegex(rules[r].Http?.Paths ?? []))
            {
                (hosts ??= []).Add(rules[r].Host ?? "");
            }
        }

        return hosts is null ? [] : [.. hosts];
    }

    /// <summary>Whether any of <paramref name="paths"/> puts its host in regex mode (an empty path counts as "/").</summary>
    public bool AnyEnforcesRegex(IList<V1HTTPIngressPath> paths)
    {
        for (var p = 0; p < paths.Count; p++)
        {
            if (EnforcesRegex(string.IsNullOrEmpty(paths[p].Path) ? "/" : paths[p].Path))
            {
                return true;
            }
        }

        return false;
    }

    private sealed record RegexCheck(string? Path, bool Valid, string Normalized, string? Reason);
}
