using System.Text.Json.Nodes;

namespace Edge.Testing.KubeApi;

/// <summary>What the API server writes into a new CustomResourceDefinition: accepted names and the Established condition.</summary>
internal static class CustomResources
{
    public static void Accept(JsonObject crd)
    {
        var names = crd["spec"]?["names"]?.DeepClone() ?? new JsonObject();
        if (names is JsonObject n && n["singular"] is null && (string?)n["kind"] is { } kind)
        {
            n["singular"] = kind.ToLowerInvariant();
        }

        if (names is JsonObject withList && withList["listKind"] is null && (string?)withList["kind"] is { } k)
        {
            withList["listKind"] = k + "List";
        }

        var now = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        crd["status"] = new JsonObject
        {
            ["acceptedNames"] = names,
            ["conditions"] = new JsonArray(
                Condition("NamesAccepted", "NoConflicts", "no conflicts found", now),
                Condition("Established", "InitialNamesAccepted", "the initial names have been accepted", now)),
            ["storedVersions"] = new JsonArray((crd["spec"]?["versions"] as JsonArray ?? [])
                .Where(v => (bool?)v?["storage"] == true).Select(v => (JsonNode?)JsonValue.Create((string?)v?["name"])).ToArray()),
        };
    }

    private static JsonObject Condition(string type, string reason, string message, string now) => new()
    {
        ["type"] = type,
        ["status"] = "True",
        ["lastTransitionTime"] = now,
        ["reason"] = reason,
        ["message"] = message,
    };
}
