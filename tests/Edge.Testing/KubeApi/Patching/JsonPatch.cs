using System.Globalization;
using System.Text.Json.Nodes;

namespace Edge.Testing.KubeApi;

/// <summary>
/// JSON patch (RFC 6902): add, remove, replace, move, copy and test over JSON pointers (RFC 6901, <c>~0</c>/<c>~1</c>,
/// <c>-</c> to append). A malformed patch is a 400; an operation that does not apply (a failed <c>test</c>, a missing
/// path) is a 422, as the API server answers.
/// </summary>
internal static class JsonPatch
{
    public static JsonObject Apply(JsonObject target, JsonNode? patch)
    {
        if (patch is not JsonArray operations)
        {
            throw StatusBodies.BadRequest("json patch must be an array of operations");
        }

        var root = new JsonObject { ["doc"] = target.DeepClone() };
        foreach (var node in operations)
        {
            if (node is not JsonObject op || (string?)op["op"] is not { } name || (string?)op["path"] is not { } path)
            {
                throw StatusBodies.BadRequest("json patch operation needs \"op\" and \"path\"");
            }

            switch (name)
            {
                case "add":
                    Add(root, path, Value(op));
                    break;
                case "remove":
                    Remove(root, path);
                    break;
                case "replace":
                    Remove(root, path);
                    Add(root, path, Value(op));
                    break;
                case "move":
                    var moved = Remove(root, From(op));
                    Add(root, path, moved);
                    break;
                case "copy":
                    Add(root, path, Get(root, From(op))?.DeepClone());
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(root, path), op["value"]))
                    {
                        throw StatusBodies.PatchFailed($"testing value {path} failed: test failed");
                    }

                    break;
                default:
                    throw StatusBodies.BadRequest($"Unexpected kind: {name}");
            }
        }

        return root["doc"] as JsonObject ?? throw StatusBodies.PatchFailed("json patch replaced the object with a non-object");
    }

    private static JsonNode? Value(JsonObject op) =>
        op.TryGetPropertyValue("value", out var value) ? value?.DeepClone() : throw StatusBodies.BadRequest("json patch operation needs \"value\"");

    private static string From(JsonObject op) => (string?)op["from"] ?? throw StatusBodies.BadRequest("json patch operation needs \"from\"");

    private static (JsonNode Parent, string Last) Resolve(JsonObject root, string path)
    {
        if (path.Length > 0 && path[0] != '/')
        {
            throw StatusBodies.BadRequest($"invalid JSON pointer: {path}");
        }

        var tokens = path.Length == 0 ? [] : path[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
        JsonNode parent = root;
        var last = "doc";
        foreach (var token in tokens)
        {
            parent = Child(parent, last) ?? throw StatusBodies.PatchFailed($"doc is missing path: {path}");
            last = token;
        }

        return (parent, last);
    }

    private static JsonNode? Child(JsonNode parent, string token) => parent switch
    {
        JsonObject o => o[token],
        JsonArray a when int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
        _ => null,
    };

    private static JsonNode? Get(JsonObject root, string path)
    {
        var (parent, last) = Resolve(root, path);
        return Child(parent, last);
    }

    private static void Add(JsonObject root, string path, JsonNode? value)
    {
        var (parent, last) = Resolve(root, path);
        switch (parent)
        {
            case JsonObject o:
                o.Remove(last);
                o[last] = value;
                break;
            case JsonArray a when last == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i <= a.Count:
                a.Insert(i, value);
                break;
            default:
                throw StatusBodies.PatchFailed($"add operation does not apply: doc is missing path: {path}");
        }
    }

    private static JsonNode? Remove(JsonObject root, string path)
    {
        var (parent, last) = Resolve(root, path);
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(last):
                var value = o[last];
                o.Remove(last);
                return value;
            case JsonArray a when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count:
                var item = a[i];
                a.RemoveAt(i);
                return item;
            default:
                throw StatusBodies.PatchFailed($"remove operation does not apply: doc is missing path: {path}");
        }
    }
}
