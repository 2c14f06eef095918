using Alb.Core.Explain;
using Alb.Core.Routing;
using Alb.Core.Serialization;
using Alb.Sources;

namespace Alb.Cli;

/// <summary><c>alb explain</c>: which route a request takes, from the same translation and matcher as <c>serve</c>.</summary>
internal static class ExplainRunner
{
    public static int Run(ExplainCommand command, TextWriter output)
    {
        var result = ConfigLoop.Build(new ManifestDirectory(command.Directory), command.Translation);
        var explanation = Explainer.Explain(new RouteMatcher(result.Table), command.Host, command.Path, command.Method);

        if (command.Output == OutputFormat.Json)
        {
            output.WriteLine(AlbJson.Serialize(explanation));
            return 0;
        }

        output.WriteLine($"request:  {command.Method} {command.Host}{command.Path}");
        output.WriteLine($"server:   {explanation.SelectedServer} ({explanation.HostMatch switch { HostMatch.Exact => "exact host match", HostMatch.Wildcard => "wildcard host match", _ => "no host matched: catch-all server" }})");
        output.WriteLine(explanation.RegexPaths
            ? "routes of this server, in match order (regex mode: case-insensitive regexes anchored at the start, longest path first; the first match wins):"
            : "routes of this server, in match order (Exact first, then longest prefix):");
        if (explanation.Candidates.Count == 0)
        {
            output.WriteLine("  (none)");
        }

        foreach (var c in explanation.Candidates)
        {
            var mark = c.Chosen ? "=>" : c.Matches ? " +" : "  ";
            output.WriteLine($"{mark} {c.Kind,-22} {c.Path,-30} Ingress {c.Ingress} ({c.RouteId}){(c.Matches && !c.Chosen ? " matches, but an earlier route wins" : "")}");
            foreach (var loser in c.Shadowed)
            {
                output.WriteLine($"     beat {loser} (same host and path, newer)");
            }
        }

        if (command.Headers.Count > 0)
        {
            output.WriteLine($"headers:  {string.Join(", ", command.Headers.Select(h => h.Key))} (no header-based rules are configured)");
        }

        var route = explanation.Route;
        output.WriteLine(route is null
            ? "route:    none"
            : $"route:    {route.Id} from {route.Source}{(explanation.IsFallback ? " (no path matched: the server's fallback)" : "")}");
        if (explanation.Backend is { } backend)
        {
            output.WriteLine($"backend:  {backend.Id}{(backend.ExternalName is { } name ? $" (ExternalName {name})" : "")}");
            output.WriteLine($"endpoints: {(backend.Endpoints.Count == 0 ? "none ready" : string.Join(", ", backend.Endpoints.Select(e => e.Authority)))}");
        }

        if (explanation.Steps.Count > 0)
        {
            output.WriteLine("pipeline, in the order requests run it (the first step that answers ends it):");
            foreach (var step in explanation.Steps)
            {
                output.WriteLine($"  {step.Kind,-14} {step.Description}");
            }
        }

        output.WriteLine($"outcome:  {explanation.Outcome}");
        return 0;
    }
}
