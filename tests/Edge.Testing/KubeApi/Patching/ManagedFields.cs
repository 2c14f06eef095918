using System.Text.Json.Nodes;

namespace Edge.Testing.KubeApi;

/// <summary>
/// <c>metadata.managedFields</c>: which manager owns which leaf fields, as FieldsV1 trees. A field path is its
/// segments joined by '\n' (label keys may hold '.' and '/'). Lists are atomic: a list is one leaf.
/// </summary>
internal static class ManagedFields
{
    private static readonly HashSet<string> ServerOwnedMetadata = new(StringComparer.Ordinal)
    {
        "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
        "deletionGracePeriodSeconds", "managedFields", "selfLink", "generateName",
    };

    public sealed record Entry(string Manager, string Operation, string? Subresource, string ApiVersion, string Time, HashSet<string> Fields);

    public static List<Entry> Read(JsonObject? obj)
    {
        var entries = new List<Entry>();
        foreach (var node in (obj?["metadata"]?["managedFields"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var fields = new HashSet<string>(StringComparer.Ordinal);
            Collect(node["fieldsV1"] as JsonObject, "", fields);
            entries.Add(new Entry((string?)node["manager"] ?? "", (string?)node["operation"] ?? "Update", (string?)node["subresource"], (string?)node["apiVersion"] ?? "", (string?)node["time"] ?? "", fields));
        }

        return entries;
    }

    public static void Write(JsonObject obj, IEnumerable<Entry> entries)
    {
        var array = new JsonArray();
        foreach (var e in entries.Where(e => e.Fields.Count > 0))
        {
            var node = new JsonObject
            {
                ["manager"] = e.Manager,
                ["operation"] = e.Operation,
                ["apiVersion"] = e.ApiVersion,
                ["time"] = e.Time,
                ["fieldsType"] = "FieldsV1",
                ["fieldsV1"] = ToFieldsV1(e.Fields),
            };
            if (e.Subresource is not null)
            {
                node["subresource"] = e.Subresource;
            }

            array.Add(node);
        }

        var metadata = (JsonObject)obj["metadata"]!;
        if (array.Count > 0)
        {
            metadata["managedFields"] = array;
        }
        else
        {
            metadata.Remove("managedFields");
        }
    }

    /// <summary>True when ownership differs (managers, operations or fields; times are ignored).</summary>
    public static bool OwnershipChanged(JsonObject before, JsonObject after)
    {
        static IEnumerable<string> Keys(JsonObject o) =>
            Read(o).Where(e => e.Fields.Count > 0).Select(e => $"{e.Manager}|{e.Operation}|{e.Subresource}|{string.Join(",", e.Fields.Order(StringComparer.Ordinal))}").Order(StringComparer.Ordinal);
        return !Keys(before).SequenceEqual(Keys(after));
    }

    /// <summary>The leaf paths an object sets, leaving out apiVersion, kind and the metadata the server owns.</summary>
    public static HashSet<string> LeafPaths(JsonObject obj)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in obj)
        {
            if (key is "apiVersion" or "kind")
            {
                continue;
            }

            if (key == "metadata" && value is JsonObject metadata)
            {
                foreach (var (mk, mv) in metadata.Where(kv => !ServerOwnedMetadata.Contains(kv.Key)))
                {
                    Leaves(mv, "metadata\n" + mk, paths);
                }

                continue;
            }

            Leaves(value, key, paths);
        }

        return paths;
    }

    /// <summary>Leaf paths whose value differs between two versions of an object (added, changed or removed).</summary>
    public static HashSet<string> Changed(JsonObject? before, JsonObject after)
    {
        var now = LeafPaths(after);
        var then = before is null ? [] : LeafPaths(before);
        var changed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in now.Union(then))
        {
            if (!JsonNode.DeepEquals(At(before, path), At(after, path)))
            {
                changed.Add(path);
            }
        }

        return changed;
    }

    public static JsonNode? At(JsonNode? node, string path)
    {
        foreach (var segment in path.Split('\n'))
        {
            node = node is JsonObject o ? o[segment] : null;
        }

        return node;
    }

    public static void RemoveAt(JsonObject obj, string path)
    {
        var segments = path.Split('\n');
        JsonNode? node = obj;
        foreach (var segment in segments[..^1])
        {
            node = node is JsonObject o ? o[segment] : null;
        }

        (node as JsonObject)?.Remove(segments[^1]);
    }

    /// <summary>A path as API messages write it: <c>.spec.replicas</c>.</summary>
    public static string Display(string path) => "." + path.Replace('\n', '.');

    private static void Leaves(JsonNode? value, string path, HashSet<string> paths)
    {
        if (value is JsonObject o && o.Count > 0)
        {
            foreach (var (k, v) in o)
            {
                Leaves(v, path + "\n" + k, paths);
            }
        }
        else
        {
            paths.Add(path);
        }
    }

    private static JsonObject ToFieldsV1(IEnumerable<string> paths)
    {
        var root = new JsonObject();
        foreach (var path in paths.Order(StringComparer.Ordinal))
        {
            var node = root;
            foreach (var segment in path.Split('\n'))
            {
                var key = "f:" + segment;
                if (node[key] is not JsonObject child)
                {
                    child = new JsonObject();
                    node[key] = child;
                }

                node = child;
            }
        }

        return root;
    }

    private static void Collect(JsonObject? node, string prefix, HashSet<string> fields)
    {
        foreach (var (key, value) in node ?? [])
        {
            if (!key.StartsWith("f:", StringComparison.Ordinal))
            {
                continue;
            }

            var path = prefix.Length == 0 ? key[2..] : prefix + "\n" + key[2..];
            if (value is JsonObject child && child.Any(kv => kv.Key.StartsWith("f:", StringComparison.Ordinal)))
            {
                Collect(child, path, fields);
            }
            else
            {
                fields.Add(path);
            }
        }
    }
}
