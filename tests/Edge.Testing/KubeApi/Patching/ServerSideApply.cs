using System.Text.Json.Nodes;

namespace Edge.Testing.KubeApi;

/// <summary>
/// Server-side apply, the honest minimum of reference §3.3.5: the applied configuration deep-merges into the object
/// (maps merge, lists are atomic and replaced); each manager owns the leaf fields it applied; a field another manager
/// owns with a different value is a conflict unless forced (then ownership moves); a field this manager applied
/// before and no longer applies is removed unless another manager owns it. Non-apply writes record
/// <c>operation: Update</c> ownership of what they changed.
/// </summary>
internal static class ServerSideApply
{
    public static JsonObject Apply(JsonObject? current, JsonObject applied, string manager, bool force, string apiVersion, string time, string? subresource)
    {
        var entries = ManagedFields.Read(current);
        var mine = entries.FirstOrDefault(e => e.Manager == manager && e.Operation == "Apply" && e.Subresource == subresource);
        var wanted = ManagedFields.LeafPaths(applied);

        var conflicts = new List<FieldCause>();
        var lost = new List<(ManagedFields.Entry Owner, string Path)>();
        foreach (var other in entries.Where(e => e.Manager != manager))
        {
            foreach (var path in wanted.Where(other.Fields.Contains))
            {
                if (!JsonNode.DeepEquals(ManagedFields.At(current, path), ManagedFields.At(applied, path)))
                {
                    var message = other.ApiVersion == apiVersion ? $"conflict with \"{other.Manager}\"" : $"conflict with \"{other.Manager}\" using {other.ApiVersion}";
                    conflicts.Add(new FieldCause("FieldManagerConflict", message, ManagedFields.Display(path)));
                    lost.Add((other, path));
                }
            }
        }

        if (conflicts.Count > 0 && !force)
        {
            throw StatusBodies.ApplyConflict(conflicts);
        }

        var result = (JsonObject)(MergeApplied(current, applied) ?? new JsonObject());
        foreach (var (owner, path) in lost)
        {
            owner.Fields.Remove(path);
        }

        foreach (var stale in (mine?.Fields ?? []).Except(wanted))
        {
            if (!entries.Any(e => e != mine && e.Fields.Contains(stale)))
            {
                ManagedFields.RemoveAt(result, stale);
            }
        }

        entries.Remove(mine!);
        entries.Add(new ManagedFields.Entry(manager, "Apply", subresource, apiVersion, time, wanted));
        ManagedFields.Write(result, entries);
        return result;
    }

    /// <summary>Records that <paramref name="manager"/> changed fields with a non-apply write (it takes them over).</summary>
    public static void RecordUpdate(JsonObject? before, JsonObject after, string manager, string apiVersion, string time, string? subresource)
    {
        var entries = ManagedFields.Read(before);
        var changed = ManagedFields.Changed(before, after);
        if (changed.Count > 0)
        {
            foreach (var e in entries.Where(e => !(e.Manager == manager && e.Operation == "Update" && e.Subresource == subresource)))
            {
                e.Fields.ExceptWith(changed);
            }

            var index = entries.FindIndex(e => e.Manager == manager && e.Operation == "Update" && e.Subresource == subresource);
            var fields = index >= 0 ? entries[index].Fields : new HashSet<string>(StringComparer.Ordinal);
            fields.UnionWith(changed.Where(p => ManagedFields.At(after, p) is not null || after.ContainsPath(p)));
            var entry = new ManagedFields.Entry(manager, "Update", subresource, apiVersion, time, fields);
            if (index >= 0)
            {
                entries[index] = entry;
            }
            else
            {
                entries.Add(entry);
            }
        }

        ManagedFields.Write(after, entries);
    }

    private static bool ContainsPath(this JsonObject obj, string path)
    {
        var segments = path.Split('\n');
        JsonNode? node = obj;
        foreach (var segment in segments[..^1])
        {
            node = node is JsonObject o ? o[segment] : null;
        }

        return node is JsonObject parent && parent.ContainsKey(segments[^1]);
    }

    /// <summary>Maps merge, everything else (lists included) replaces; server-owned metadata is kept from the object.</summary>
    private static JsonNode? MergeApplied(JsonNode? current, JsonNode? applied)
    {
        if (applied is not JsonObject patch || current is not JsonObject target)
        {
            return applied?.DeepClone();
        }

        var result = target.DeepClone().AsObject();
        foreach (var (key, value) in patch)
        {
            if (key == "managedFields")
            {
                continue;
            }

            result.TryGetPropertyValue(key, out var existing);
            result[key] = MergeApplied(existing, value);
        }

        return result;
    }
}
