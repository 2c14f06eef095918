using Alb.Core.Policies;
using Alb.Core.Routing;

namespace Alb.Core.Explain;

/// <summary>Why a request takes the route it takes: the server chosen, every route considered, the winner and its backend.</summary>
public sealed record Explanation(
    string Host,
    string Path,
    string Method,
    string SelectedServer,
    HostMatch HostMatch,
    IReadOnlyList<Candidate> Candidates,
    Route? Route,
    bool IsFallback,
    bool RegexPaths,
    Backend? Backend,
    IReadOnlyList<PlannedStep> Steps,
    string Outcome);

/// <summary>A route of the selected server and whether it matched; the first match in order wins.</summary>
public sealed record Candidate(string RouteId, string Ingress, PathKind Kind, string Path, bool Matches, bool Chosen, IReadOnlyList<string> Shadowed);
