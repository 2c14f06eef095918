using System.Text.Json.Nodes;

namespace Edge.Testing.KubeApi;

/// <summary>
/// A parsed <c>fieldSelector</c>: <c>metadata.name</c> and <c>metadata.namespace</c> on every resource (plus the few
/// per-kind fields a real server offers for pods, secrets and events) with <c>=</c>, <c>==</c>, <c>!=</c>.
/// </summary>
internal sealed class FieldSelector
{
    private static readonly Dictionary<string, string[]> ExtraFields = new(StringComparer.Ordinal)
    {
        ["pods"] = ["spec.nodeName", "spec.serviceAccountName", "status.phase", "status.podIP"],
        ["secrets"] = ["type"],
        ["events"] = ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid", "reason", "type"],
    };

    private readonly IReadOnlyList<(string Field, bool Equal, string Value)> _terms;

    private FieldSelector(IReadOnlyList<(string, bool, string)> terms) => _terms = terms;

    public static FieldSelector Everything { get; } = new([]);

    public static bool TryParse(string? text, ResourceType type, out FieldSelector selector, out string? error)
    {
        selector = Everything;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        var terms = new List<(string, bool, string)>();
        foreach (var raw in text.Split(','))
        {
            var part = raw.Trim();
            var (at, length, equal) = part.IndexOf("!=", StringComparison.Ordinal) is var ne and > 0 ? (ne, 2, false)
                : part.IndexOf("==", StringComparison.Ordinal) is var ee and > 0 ? (ee, 2, true)
                : part.IndexOf('=', StringComparison.Ordinal) is var e and > 0 ? (e, 1, true)
                : (-1, 0, false);
            if (at < 0)
            {
                error = $"invalid selector: '{text}'; can't understand '{part}'";
                return false;
            }

            var field = part[..at].Trim();
            if (field is not ("metadata.name" or "metadata.namespace") &&
                !(ExtraFields.TryGetValue(type.Plural, out var extra) && extra.Contains(field)))
            {
                error = $"field label not supported: {field}";
                return false;
            }

            terms.Add((field, equal, part[(at + length)..].Trim()));
        }

        selector = new FieldSelector(terms);
        return true;
    }

    public bool Matches(JsonObject obj)
    {
        foreach (var (field, equal, value) in _terms)
        {
            JsonNode? node = obj;
            foreach (var step in field.Split('.'))
            {
                node = node is JsonObject o ? o[step] : null;
            }

            var actual = node?.ToString() ?? "";
            if ((actual == value) != equal)
            {
                return false;
            }
        }

        return true;
    }
}
