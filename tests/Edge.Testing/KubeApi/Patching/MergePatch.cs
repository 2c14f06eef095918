using System.Text.Json.Nodes;

namespace Edge.Testing.KubeApi;

/// <summary>JSON merge patch (RFC 7386): objects merge, <c>null</c> removes, anything else (arrays too) replaces.</summary>
internal static class MergePatch
{
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target is JsonObject t ? t.DeepClone().AsObject() : new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
                continue;
            }

            result.TryGetPropertyValue(key, out var existing);
            result[key] = Apply(existing, value);
        }

        return result;
    }
}
