using System.Text.Json.Nodes;

namespace Edge.Testing.KubeApi;

/// <summary>
/// Strategic merge patch for built-in kinds (reference §3.3.6): a merge patch whose lists of containers, volumes, env,
/// ports, ownerReferences and conditions merge by key, whose <c>metadata.finalizers</c> merge as a set, and which
/// honours <c>$patch: replace|delete</c>, <c>$retainKeys</c> and <c>$deleteFromPrimitiveList</c>;
/// <c>$setElementOrder</c> is dropped. Other lists are replaced, as for types without patch tags.
/// </summary>
internal static class StrategicMergePatch
{
    private const string DeleteFromPrimitiveList = "$deleteFromPrimitiveList/";

    public static JsonObject Apply(JsonObject target, JsonObject patch) =>
        MergeObject(target.DeepClone().AsObject(), patch) ?? new JsonObject();

    /// <summary>Merges <paramref name="patch"/> into <paramref name="target"/> (owned, changed in place); null = delete it.</summary>
    private static JsonObject? MergeObject(JsonObject target, JsonObject patch)
    {
        switch ((string?)patch["$patch"])
        {
            case "delete":
                return null;
            case "replace":
                return Clean(patch);
        }

        foreach (var (key, value) in patch)
        {
            if (key.StartsWith('$'))
            {
                continue;
            }

            target.TryGetPropertyValue(key, out var existing);
            switch (value)
            {
                case null:
                    target.Remove(key);
                    break;
                case JsonObject patchObject:
                    var merged = MergeObject(existing is JsonObject o ? o.DeepClone().AsObject() : new JsonObject(), patchObject);
                    if (merged is null)
                    {
                        target.Remove(key);
                    }
                    else
                    {
                        target[key] = merged;
                    }

                    break;
                case JsonArray patchList:
                    target[key] = MergeList(key, existing as JsonArray, patchList);
                    break;
                default:
                    target[key] = value.DeepClone();
                    break;
            }
        }

        foreach (var (key, value) in patch.Where(kv => kv.Key.StartsWith(DeleteFromPrimitiveList, StringComparison.Ordinal)).ToList())
        {
            if (target[key[DeleteFromPrimitiveList.Length..]] is JsonArray list && value is JsonArray remove)
            {
                foreach (var item in list.Where(i => remove.Any(r => JsonNode.DeepEquals(r, i))).ToList())
                {
                    list.Remove(item);
                }
            }
        }

        if (patch["$retainKeys"] is JsonArray retain)
        {
            var keep = retain.Select(k => (string?)k).ToHashSet(StringComparer.Ordinal);
            foreach (var key in target.Select(kv => kv.Key).Where(k => !keep.Contains(k)).ToList())
            {
                target.Remove(key);
            }
        }

        return target;
    }

    private static JsonArray MergeList(string field, JsonArray? target, JsonArray patch)
    {
        if (patch.Any(e => e is JsonObject o && (string?)o["$patch"] == "replace"))
        {
            return new JsonArray(patch.Where(e => !(e is JsonObject o && (string?)o["$patch"] == "replace")).Select(CleanNode).ToArray());
        }

        var result = target?.DeepClone().AsArray() ?? [];
        if (field == "finalizers")
        {
            foreach (var item in patch.Where(p => !result.Any(r => JsonNode.DeepEquals(r, p))))
            {
                result.Add(item?.DeepClone());
            }

            return result;
        }

        var mergeKey = MergeKey(field, patch, target);
        if (mergeKey is null)
        {
            return new JsonArray(patch.Select(CleanNode).ToArray());
        }

        foreach (var element in patch.OfType<JsonObject>())
        {
            var key = element[mergeKey];
            var index = result.Select((e, i) => (e, i)).FirstOrDefault(p => p.e is JsonObject o && JsonNode.DeepEquals(o[mergeKey], key), (null, -1)).Item2;
            if ((string?)element["$patch"] == "delete")
            {
                if (index >= 0)
                {
                    result.RemoveAt(index);
                }

                continue;
            }

            if (index < 0)
            {
                result.Add(Clean(element));
                continue;
            }

            var existing = (JsonObject)result[index]!;
            result.RemoveAt(index);
            result.Insert(index, MergeObject(existing, element) ?? new JsonObject());
        }

        return result;
    }

    private static string? MergeKey(string field, JsonArray patch, JsonArray? target) => field switch
    {
        "containers" or "initContainers" or "ephemeralContainers" or "volumes" or "env" or "imagePullSecrets" => "name",
        "volumeMounts" => "mountPath",
        "volumeDevices" => "devicePath",
        "ownerReferences" => "uid",
        "conditions" => "type",
        "ports" => patch.Concat(target ?? []).OfType<JsonObject>().Any(p => p.ContainsKey("containerPort")) ? "containerPort" : "port",
        _ => null,
    };

    private static JsonNode? CleanNode(JsonNode? node) => node switch
    {
        JsonObject o => Clean(o),
        JsonArray a => new JsonArray(a.Select(CleanNode).ToArray()),
        _ => node?.DeepClone(),
    };

    /// <summary>A copy without <c>$</c> directives, for content the patch adds whole.</summary>
    private static JsonObject Clean(JsonObject node)
    {
        var result = new JsonObject();
        foreach (var (key, value) in node.Where(kv => !kv.Key.StartsWith('$')))
        {
            result[key] = CleanNode(value);
        }

        return result;
    }
}
