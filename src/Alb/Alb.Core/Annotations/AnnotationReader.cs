using System.Collections.Immutable;
using Alb.Core.Diagnostics;

namespace Alb.Core.Annotations;

/// <summary>
/// What a bad value does, as ingress-nginx v1.15 decides it per annotation (alb is stricter where ingress-nginx fails
/// open): nothing beyond the diagnostic (the default applies), the route answers 503, or the whole Ingress is not served.
/// </summary>
public enum BadValueOutcome
{
    Default,
    DenyRoute,
    RejectIngress,
}

/// <summary>
/// The <c>nginx.ingress.kubernetes.io/*</c> annotations of one Ingress, read by the family parsers. Each parser gets
/// its own <see cref="Findings"/> and returns them: nothing is written to a shared list.
/// </summary>
public sealed class AnnotationReader(string objectName, IDictionary<string, string>? annotations, string prefix = AnnotationCatalog.Prefix, bool configMap = false)
{
    /// <summary>The Ingress in diagnostics: <c>Ingress ns/name</c>.</summary>
    public string Object { get; } = objectName;

    /// <summary>What the keys start with: the annotation prefix, or <c>global-</c> for the ConfigMap's global-auth-* keys.</summary>
    public string Prefix { get; } = prefix;

    public static string Field(string name) => $"metadata.annotations[{AnnotationCatalog.Prefix}{name}]";

    /// <summary>The field a diagnostic names: the annotation, or the ConfigMap key.</summary>
    public string FieldOf(string name) => configMap ? $"data.{Prefix}{name}" : $"metadata.annotations[{Prefix}{name}]";

    public bool Has(string name) => TryGet(name, out _);

    /// <summary>The raw value of a key (without the prefix); null when absent.</summary>
    public string? Get(string name) => TryGet(name, out var value) ? value : null;

    /// <summary>
    /// Looks <c>prefix + name</c> up without making that string: the parsers ask for about a hundred keys per Ingress,
    /// and building each key was most of what a translation of 10,000 Ingresses allocated.
    /// </summary>
    private bool TryGet(string name, out string? value)
    {
        value = null;
        if (annotations is null)
        {
            return false;
        }

        if (annotations is Dictionary<string, string> dictionary && dictionary.TryGetAlternateLookup<ReadOnlySpan<char>>(out var lookup))
        {
            var length = Prefix.Length + name.Length;
            var key = length <= 256 ? stackalloc char[length] : new char[length];
            Prefix.CopyTo(key);
            name.CopyTo(key[Prefix.Length..]);
            return lookup.TryGetValue(key, out value);
        }

        return annotations.TryGetValue(Prefix + name, out value);
    }

    private string[]? _names;

    /// <summary>Every key under the prefix, without it, in a stable order (listed once per reader: several parsers walk it).</summary>
    public IReadOnlyList<string> Names => _names ??= ListNames();

    private string[] ListNames()
    {
        if (annotations is null || annotations.Count == 0)
        {
            return [];
        }

        var names = new List<string>(annotations.Count);
        foreach (var key in annotations.Keys)
        {
            if (key.StartsWith(Prefix, StringComparison.Ordinal))
            {
                names.Add(key[Prefix.Length..]);
            }
        }

        names.Sort(StringComparer.Ordinal);
        return [.. names];
    }
}

/// <summary>The diagnostics of one family's read and the strongest outcome among them.</summary>
public sealed class Findings(AnnotationReader reader)
{
    private List<Diagnostic>? _diagnostics; // made at the first finding: most reads find nothing

    public BadValueOutcome Outcome { get; private set; }

    /// <summary>Why the route is denied or the Ingress refused (the first such finding).</summary>
    public string? Reason { get; private set; }

    public void Add(DiagnosticCode code, string name, string message, BadValueOutcome outcome = BadValueOutcome.Default)
    {
        (_diagnostics ??= []).Add(code.At(reader.Object, reader.FieldOf(name), message));
        if (outcome > Outcome)
        {
            Outcome = outcome;
            Reason = $"{reader.Prefix}{name}: {message}";
        }
        else if (outcome == Outcome && outcome != BadValueOutcome.Default)
        {
            Reason ??= $"{reader.Prefix}{name}: {message}";
        }
    }

    public Parsed<T> Result<T>(T policy) => new(policy, _diagnostics is null ? [] : [.. _diagnostics], Outcome, Reason);

    /// <summary>A boolean key (Go's ParseBool): absent or empty gives <paramref name="fallback"/>; a bad value gives <paramref name="onBad"/> and a diagnostic.</summary>
    public bool Bool(DiagnosticCode code, string name, bool fallback, bool? onBad = null)
    {
        var text = reader.Get(name);
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        if (NginxValues.TryParseBool(text, out var value))
        {
            return value;
        }

        var applied = onBad ?? fallback;
        Add(code, name, $"\"{AnnotationText.Shown(text)}\" is not a boolean (true/false); {(applied ? "true" : "false")} applies");
        return applied;
    }

    /// <summary>An nginx on/off key: exactly "on" or "off" (trimmed); anything else keeps <paramref name="fallback"/> with a diagnostic.</summary>
    public bool OnOff(DiagnosticCode code, string name, bool fallback)
    {
        var text = reader.Get(name)?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        if (text is "on" or "off")
        {
            return text == "on";
        }

        Add(code, name, $"\"{AnnotationText.Shown(text)}\" is not on or off; {(fallback ? "on" : "off")} applies");
        return fallback;
    }
}

/// <summary>A family parser's answer: the typed policy, its diagnostics, and what a bad value does to the route or Ingress.</summary>
public readonly record struct Parsed<T>(T Policy, ImmutableArray<Diagnostic> Diagnostics, BadValueOutcome Outcome, string? Reason);
