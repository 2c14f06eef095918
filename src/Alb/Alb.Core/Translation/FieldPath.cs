using System.Globalization;

namespace Alb.Core.Translation;

/// <summary>
/// The field a diagnostic names, spelt out only when a diagnostic is written: a translation of 10,000 Ingresses
/// resolves tens of thousands of paths and reports few, so building every path's field text up front was most of a
/// rebuild's garbage (issue 15: the RSS after 100 changes).
/// </summary>
internal readonly struct FieldPath
{
    private readonly string? _text;
    private readonly int _rule;
    private readonly int _path;
    private readonly string? _suffix;
    private readonly string? _more;

    private FieldPath(string? text, int rule, int path, string? suffix, string? more) =>
        (_text, _rule, _path, _suffix, _more) = (text, rule, path, suffix, more);

    /// <summary><c>spec.rules[rule].http.paths[path]</c>.</summary>
    public static FieldPath OfPath(int rule, int path) => new(null, rule, path, null, null);

    public static implicit operator FieldPath(string text) => new(text, 0, 0, null, null);

    /// <summary>This field, then <paramref name="more"/> (".backend", ".service"), still unspelt.</summary>
    public FieldPath Then(string more) =>
        _suffix is null ? new(_text, _rule, _path, more, null) : new(_text, _rule, _path, _suffix, _more + more);

    public override string ToString() =>
        (_text ?? string.Create(CultureInfo.InvariantCulture, $"spec.rules[{_rule}].http.paths[{_path}]")) + _suffix + _more;
}
