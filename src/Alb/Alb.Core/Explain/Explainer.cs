using Alb.Core.Policies;
using Alb.Core.Routing;

namespace Alb.Core.Explain;

/// <summary>Explains a lookup with the same matcher the server uses (see <see cref="RouteMatcher"/>).</summary>
public static class Explainer
{
    public static Explanation Explain(RouteMatcher matcher, string host, string path, string method)
    {
        var (server, how) = matcher.SelectHost(host);
        var match = matcher.Match(host, path);
        var candidates = server.Routes
            .Select(r => new Candidate(
                r.Id,
                $"{r.Source.Namespace}/{r.Source.Ingress}",
                r.Kind,
                r.Path,
                RouteMatcher.PathMatches(server, r, path),
                ReferenceEquals(r, match.Route),
                [.. r.Shadowed]))
            .ToList();

        var backend = match.Route?.BackendId is { } id ? matcher.Table.Backends.FirstOrDefault(b => b.Id == id) : null;
        var steps = match.Route is { } route ? PipelinePlan.For(route.Policies, matcher.Table.Settings, server.ClientCert) : [];
        return new Explanation(host, path, method, server.Host, how, candidates, match.Route, match.IsFallback, server.RegexPaths, backend, steps, Outcome(match, backend));
    }

    /// <summary>Where a request that passes every step of the route's pipeline ends.</summary>
    public static string Outcome(RouteMatch match, Backend? backend) => match switch
    {
        { Route: null } => "404 from the default backend (no route matched)",
        { Route.Policies.Deny: { } deny } => $"{deny.Status}: {deny.Reason}",
        { Route.Policies.Redirect: { } redirect } => $"{redirect.Code} redirect to {redirect.Url}",
        _ => Forward(match, backend),
    };

    private static string Forward(RouteMatch match, Backend? backend) => backend switch
    {
        null => "404 from the default backend",
        { Problem: { } problem } => $"503: {problem}",
        { ExternalName: { } name } => $"forwarded to ExternalName {name}:{backend.Endpoints[0].Port}",
        _ => $"forwarded round-robin to {backend.Endpoints.Count} ready endpoint(s) of {backend.Namespace}/{backend.Service}:{backend.Port}",
    };
}
