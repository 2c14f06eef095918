using System.Globalization;
using System.Text.Json.Nodes;

namespace Edge.Testing.KubeApi;

/// <summary>How a write is asked for: dry run, field manager (query or derived from the User-Agent), force.</summary>
internal sealed record WriteOptions(bool DryRun = false, string? FieldManager = null, bool Force = false, string? UserAgent = null)
{
    /// <summary>The manager managedFields records: the <c>fieldManager</c> parameter, else the User-Agent's program name.</summary>
    public string Manager => FieldManager ?? (UserAgent?.Split('/', ' ')[0] is { Length: > 0 } agent ? agent : "unknown");
}

/// <summary>The rules about server-owned metadata shared by every write path.</summary>
internal static class ObjectRules
{
    private const string Consonants = "bcdfghjklmnpqrstvwxz2456789";

    /// <summary>RFC 3339 with seconds, as creationTimestamp and deletionTimestamp are written.</summary>
    public static string Timestamp(TimeProvider time) =>
        time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static JsonObject Metadata(JsonObject obj)
    {
        if (obj["metadata"] is not JsonObject metadata)
        {
            metadata = new JsonObject();
            obj["metadata"] = metadata;
        }

        return metadata;
    }

    public static string Name(JsonObject obj) => (string?)obj["metadata"]?["name"] ?? "";

    public static string? ResourceVersion(JsonObject obj) => (string?)obj["metadata"]?["resourceVersion"];

    public static bool IsDeleting(JsonObject obj) => obj["metadata"]?["deletionTimestamp"] is not null;

    public static List<string> Finalizers(JsonObject obj) =>
        (obj["metadata"]?["finalizers"] as JsonArray)?.Select(f => (string?)f ?? "").ToList() ?? [];

    public static long Generation(JsonObject obj) => Number(obj["metadata"]?["generation"]) ?? 0;

    /// <summary>An integer node as a long, whatever CLR type the node was built from.</summary>
    public static long? Number(JsonNode? node) =>
        node is JsonValue && long.TryParse(node.ToJsonString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>The name for <c>generateName</c>: the prefix plus five random characters.</summary>
    public static string Generate(string prefix) =>
        prefix + new string(Enumerable.Range(0, 5).Select(_ => Consonants[Random.Shared.Next(Consonants.Length)]).ToArray());

    /// <summary>True when anything outside metadata and status differs (what bumps <c>metadata.generation</c>).</summary>
    public static bool SpecChanged(JsonObject before, JsonObject after)
    {
        static IEnumerable<string> Keys(JsonObject o) => o.Select(kv => kv.Key).Where(k => k is not ("metadata" or "status" or "apiVersion" or "kind"));
        return Keys(before).Union(Keys(after)).Any(k => !JsonNode.DeepEquals(before[k], after[k]));
    }

    /// <summary>True when two versions differ in more than resourceVersion and managedFields (else a write is a no-op).</summary>
    public static bool Differs(JsonObject before, JsonObject after) => !JsonNode.DeepEquals(Comparable(before), Comparable(after));

    /// <summary>Copies the fields clients cannot change from the stored object onto an update.</summary>
    public static void KeepServerFields(JsonObject current, JsonObject next, ResourceType type)
    {
        next["apiVersion"] = type.ApiVersion;
        next["kind"] = type.Kind;
        var from = Metadata(current);
        var to = Metadata(next);
        foreach (var key in new[] { "name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "managedFields" })
        {
            to.Remove(key);
            if (from[key] is { } value)
            {
                to[key] = value.DeepClone();
            }
        }
    }

    private static JsonObject Comparable(JsonObject obj)
    {
        var copy = obj.DeepClone().AsObject();
        var metadata = Metadata(copy);
        metadata.Remove("resourceVersion");
        metadata.Remove("managedFields");
        return copy;
    }
}
