using System.Collections.Immutable;
using Alb.Core.Diagnostics;
using Alb.Core.Routing;

namespace Alb.Core.Translation;

public sealed record TranslationResult(RouteTable Table, ImmutableArray<Diagnostic> Diagnostics)
{
    public bool HasErrors => Diagnostics.Any(d => d.Severity == Severity.Error);

    /// <summary>This result with the diagnostics of reading its input (files, the API) first, as they happened first.</summary>
    public TranslationResult AfterReading(ImmutableArray<Diagnostic> read) =>
        read.IsEmpty ? this : this with { Diagnostics = read.AddRange(Diagnostics) };
}
