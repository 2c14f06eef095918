using Alb.Core.Diagnostics;
using Alb.Core.Migration;

namespace Alb.Core.Serialization;

/// <summary><c>alb validate --output json</c>: counts, the annotation usage report and every diagnostic.</summary>
public sealed record ValidationReport(
    int Ingresses,
    int Hosts,
    int Routes,
    int Errors,
    int Warnings,
    IReadOnlyList<AnnotationUsage> Annotations,
    IReadOnlyList<Diagnostic> Diagnostics);
