using System.Collections.Immutable;
using Alb.Core.Diagnostics;
using Alb.Core.Routing;

namespace Alb.Core.Translation;

public sealed record TranslationResult(RouteTable Table, ImmutableArray<Diagnostic> Diagnostics)
{
    public bool HasErrors => Diagnostics.Any(d => d.Severity == Severity.Error);
}
