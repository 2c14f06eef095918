using System.Globalization;
using System.Numerics;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace Alb.Core.Manifests;

/// <summary>A field whose value does not have the type the Kubernetes API gives it; <see cref="Field"/> is its path.</summary>
internal sealed class ManifestFieldException(string field, long line, string message) : Exception(message)
{
    public string Field { get; } = field;

    public long Line { get; } = line;
}

/// <summary>
/// Typed reads of one mapping of a Kubernetes object, each error naming the field's path (<c>spec.rules[0].host</c>).
/// Absent, <c>null</c>, <c>~</c> and empty values read as absent, as in the API. Every read counts against the
/// document's <see cref="NodeBudget"/>: YAML aliases can make a small file stand for an enormous object.
/// </summary>
internal readonly struct YamlFields
{
    private readonly YamlMappingNode _map;
    private readonly string _path;
    private readonly NodeBudget _budget;

    public YamlFields(YamlMappingNode map, string path, NodeBudget budget)
    {
        _map = map;
        _path = path;
        _budget = budget;
    }

    public string? String(string key) => Scalar(key) is { } s ? s.Value : null;

    public int? Int(string key) => Integer<int>(key);

    public long? Long(string key) => Integer<long>(key);

    private T? Integer<T>(string key)
        where T : struct, IBinaryInteger<T>
    {
        if (Scalar(key) is not { } s)
        {
            return null;
        }

        return T.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Error(key, s, $"expected an integer, found '{Shorten(s.Value)}'");
    }

    public bool? Bool(string key)
    {
        if (Scalar(key) is not { } s)
        {
            return null;
        }

        return bool.TryParse(s.Value, out var value) ? value : throw Error(key, s, $"expected true or false, found '{Shorten(s.Value)}'");
    }

    /// <summary>An RFC 3339 time, as <c>metadata.creationTimestamp</c>; returned in UTC.</summary>
    public DateTime? Time(string key)
    {
        if (Scalar(key) is not { } s)
        {
            return null;
        }

        return DateTimeOffset.TryParse(s.Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value.UtcDateTime
            : throw Error(key, s, $"expected an RFC 3339 time, found '{Shorten(s.Value)}'");
    }

    /// <summary>A port given as a number or a name (Service <c>targetPort</c>); the model keeps either as text.</summary>
    public IntOrString? IntOrString(string key) => String(key) is { } value ? (IntOrString)value : null;

    public YamlFields? Map(string key)
    {
        if (Node(key) is not { } node)
        {
            return null;
        }

        return node is YamlMappingNode map
            ? new YamlFields(map, Path(key), _budget)
            : throw Error(key, node, "expected a mapping");
    }

    /// <summary>A sequence of mappings (<c>spec.rules</c>); each item's path carries its index.</summary>
    public List<YamlFields>? Maps(string key) =>
        Items(key, "a mapping", static (item, path, budget) => item is YamlMappingNode map ? (true, new YamlFields(map, path, budget)) : (false, default));

    public List<string>? Strings(string key) =>
        Items(key, "a string", static (item, _, _) => item is YamlScalarNode { Value: { } value } ? (true, value) : (false, ""));

    private List<T>? Items<T>(string key, string expected, Func<YamlNode, string, NodeBudget, (bool Ok, T Value)> read)
    {
        if (Sequence(key) is not { } sequence)
        {
            return null;
        }

        var items = new List<T>(sequence.Children.Count);
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var path = $"{Path(key)}[{i}]";
            var item = _budget.Visit(sequence.Children[i], path);
            var (ok, value) = read(item, path, _budget);
            items.Add(ok ? value : throw new ManifestFieldException(path, item.Start.Line, $"{path}: expected {expected}"));
        }

        return items;
    }

    /// <summary>A map of strings (labels, annotations, ConfigMap data): unquoted numbers and booleans are read as their text.</summary>
    public Dictionary<string, string>? StringMap(string key) => Entries(key, static (_, value) => value);

    /// <summary>A map of base64 values (Secret <c>data</c>).</summary>
    public Dictionary<string, byte[]>? Base64Map(string key) => Entries(key, static (field, value) =>
    {
        try
        {
            return Convert.FromBase64String(value);
        }
        catch (FormatException)
        {
            throw new FormatException($"{field}: not valid base64");
        }
    });

    private Dictionary<string, T>? Entries<T>(string key, Func<string, string, T> convert)
    {
        if (Node(key) is not { } node)
        {
            return null;
        }

        if (node is not YamlMappingNode map)
        {
            throw Error(key, node, "expected a mapping of strings");
        }

        var entries = new Dictionary<string, T>(map.Children.Count, StringComparer.Ordinal);
        foreach (var (k, v) in map.Children)
        {
            var field = $"{Path(key)}.{(k as YamlScalarNode)?.Value}";
            if (k is not YamlScalarNode { Value: { } name } || _budget.Visit(v, field) is not YamlScalarNode value)
            {
                throw new ManifestFieldException(field, k.Start.Line, $"{field}: expected a string key and a string value");
            }

            try
            {
                entries[name] = convert(field, IsNull(value) ? "" : value.Value ?? "");
            }
            catch (FormatException e)
            {
                throw new ManifestFieldException(field, v.Start.Line, e.Message);
            }
        }

        return entries;
    }

    private YamlSequenceNode? Sequence(string key)
    {
        if (Node(key) is not { } node)
        {
            return null;
        }

        return node as YamlSequenceNode ?? throw Error(key, node, "expected a sequence");
    }

    private YamlScalarNode? Scalar(string key)
    {
        if (Node(key) is not { } node)
        {
            return null;
        }

        return node as YamlScalarNode ?? throw Error(key, node, "expected a single value, found a " + (node is YamlMappingNode ? "mapping" : "sequence"));
    }

    /// <summary>The value under <paramref name="key"/>, or null when it is absent or a YAML null.</summary>
    private YamlNode? Node(string key)
    {
        if (!_map.Children.TryGetValue(new YamlScalarNode(key), out var node))
        {
            return null;
        }

        _budget.Visit(node, Path(key));
        return IsNull(node) ? null : node;
    }

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    private string Path(string key) => _path.Length == 0 ? key : $"{_path}.{key}";

    private ManifestFieldException Error(string key, YamlNode node, string message) => new(Path(key), node.Start.Line, $"{Path(key)}: {message}");

    private static string Shorten(string? value) => value is null ? "" : value.Length <= 64 ? value : string.Concat(value.AsSpan(0, 64), "…");
}

/// <summary>
/// How many nodes one document may visit. Aliases share nodes in the parsed tree, but reading follows them, so
/// "a list of aliases of a list of aliases" could stand for billions of objects in a few lines; such a document
/// is refused instead.
/// </summary>
internal sealed class NodeBudget(int limit)
{
    public const int Default = 1_000_000;

    private int _visited;

    /// <summary>The document was refused for its size: the error is the document's, not one object's.</summary>
    public bool Exhausted => _visited > limit;

    public YamlNode Visit(YamlNode node, string field) =>
        ++_visited <= limit ? node : throw new ManifestFieldException(field, node.Start.Line, $"the document stands for more than {limit:N0} values (YAML aliases?); refused");
}
