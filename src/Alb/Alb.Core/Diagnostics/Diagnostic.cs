namespace Alb.Core.Diagnostics;

public enum Severity
{
    Info,
    Warning,
    Error,
}

/// <summary>
/// One problem found while loading or translating: a stable code, the object (<c>Kind ns/name</c>
/// or a file), the field or annotation it concerns, and a message a person can act on.
/// </summary>
public sealed record Diagnostic(string Code, Severity Severity, string Object, string? Field, string Message)
{
    public override string ToString() =>
        Field is null
            ? $"{Severity.ToString().ToLowerInvariant()} {Code} {Object}: {Message}"
            : $"{Severity.ToString().ToLowerInvariant()} {Code} {Object} {Field}: {Message}";
}
