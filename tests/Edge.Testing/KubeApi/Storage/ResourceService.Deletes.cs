using System.Text.Json.Nodes;

namespace Edge.Testing.KubeApi;

/// <summary>Deletion: finalizers and deletionTimestamp, owner-reference collection, CRD and namespace cascades.</summary>
internal sealed partial class ResourceService
{
    /// <summary>
    /// DELETE: without finalizers the object goes (DELETED, 200 Success); with finalizers it gets a deletionTimestamp
    /// (MODIFIED, 200 with the object) and goes when an update empties them. A second DELETE is a no-op.
    /// </summary>
    public JsonObject Delete(ResourceType type, string ns, string name, DeleteOptions delete, WriteOptions options) =>
        _store.Locked(() =>
        {
            var current = _store.Get(type, ns, name) ?? throw StatusBodies.NotFound(type, name);
            var metadata = current["metadata"]!;
            if (delete.Uid is { } uid && uid != (string?)metadata["uid"])
            {
                throw StatusBodies.Conflict(type, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {(string?)metadata["uid"]}");
            }

            if (delete.ResourceVersion is { } rv && rv != (string?)metadata["resourceVersion"])
            {
                throw StatusBodies.Conflict(type, name, $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {(string?)metadata["resourceVersion"]}");
            }

            if (ObjectRules.Finalizers(current).Count > 0)
            {
                if (ObjectRules.IsDeleting(current))
                {
                    return Output(current, type);
                }

                var next = current.DeepClone().AsObject();
                var meta = ObjectRules.Metadata(next);
                meta["deletionTimestamp"] = Now();
                meta["deletionGracePeriodSeconds"] = 0;
                meta["generation"] = ObjectRules.Generation(current) + 1;
                if (!options.DryRun)
                {
                    _store.Commit(type.Group, type.Plural, "MODIFIED", next, current);
                }

                return Output(next, type);
            }

            if (!options.DryRun)
            {
                Remove(type, current.DeepClone().AsObject(), current, delete.PropagationPolicy);
            }

            return StatusBodies.Success(type, name, (string?)metadata["uid"]);
        });

    /// <summary>DELETE on a collection: deletes every matching object; returns the list of what it deleted or marked.</summary>
    public JsonObject DeleteCollection(ResourceType type, string? ns, LabelSelector labels, FieldSelector fields, DeleteOptions delete, WriteOptions options) =>
        _store.Locked(() =>
        {
            var items = new JsonArray();
            foreach (var obj in Matching(type, ns, labels, fields))
            {
                var result = Delete(type, (string?)obj["metadata"]?["namespace"] ?? "", ObjectRules.Name(obj), delete with { Uid = null, ResourceVersion = null }, options);
                items.Add(result["kind"]?.ToString() == "Status" ? Output(obj, type) : result);
            }

            return new JsonObject
            {
                ["kind"] = type.ListKind,
                ["apiVersion"] = type.ApiVersion,
                ["metadata"] = new JsonObject { ["resourceVersion"] = _store.CurrentUnlocked.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                ["items"] = items,
            };
        });

    /// <summary>Removes an object for good (a new resourceVersion, DELETED) and runs what follows from it.</summary>
    private void Remove(ResourceType type, JsonObject final, JsonObject current, string propagation)
    {
        _store.Commit(type.Group, type.Plural, "DELETED", final, current);
        if (type == ResourceCatalog.Crds)
        {
            var group = (string?)final["spec"]?["group"] ?? "";
            var plural = (string?)final["spec"]?["names"]?["plural"] ?? "";
            foreach (var instance in _store.All().Where(o => o.Group == group && o.Plural == plural))
            {
                _store.Commit(group, plural, "DELETED", instance.Object.DeepClone().AsObject(), instance.Object);
            }

            _catalog.Unregister(group, plural);
        }

        if (type == ResourceCatalog.Namespaces)
        {
            var ns = ObjectRules.Name(final);
            foreach (var (g, p, obj) in _store.All().Where(o => (string?)o.Object["metadata"]?["namespace"] == ns))
            {
                Delete(TypeOf(g, p), ns, ObjectRules.Name(obj), new DeleteOptions(), new WriteOptions());
            }
        }

        if (propagation != "Orphan")
        {
            CollectDependents((string?)final["metadata"]?["uid"] ?? "");
        }
    }

    /// <summary>
    /// Owner-reference garbage collection, run at once: a dependent whose owners are all gone is deleted (honouring its
    /// finalizers); one that still has a live owner only loses the reference. Foreground is treated as Background.
    /// </summary>
    private void CollectDependents(string ownerUid)
    {
        if (ownerUid.Length == 0)
        {
            return;
        }

        var liveUids = _store.All().Select(o => (string?)o.Object["metadata"]?["uid"]).ToHashSet(StringComparer.Ordinal);
        foreach (var (group, plural, obj) in _store.All())
        {
            var refs = obj["metadata"]?["ownerReferences"] as JsonArray;
            if (refs is null || !refs.Any(r => (string?)r?["uid"] == ownerUid))
            {
                continue;
            }

            var type = TypeOf(group, plural);
            var ns = (string?)obj["metadata"]?["namespace"] ?? "";
            if (refs.Any(r => (string?)r?["uid"] != ownerUid && liveUids.Contains((string?)r?["uid"])))
            {
                var next = obj.DeepClone().AsObject();
                var kept = new JsonArray(refs.Where(r => (string?)r?["uid"] != ownerUid).Select(r => r?.DeepClone()).ToArray());
                ObjectRules.Metadata(next)["ownerReferences"] = kept;
                _store.Commit(group, plural, "MODIFIED", next, obj);
                continue;
            }

            if (_store.Get(type, ns, ObjectRules.Name(obj)) is not null)
            {
                Delete(type, ns, ObjectRules.Name(obj), new DeleteOptions(), new WriteOptions(FieldManager: "garbage-collector"));
            }
        }
    }
}

/// <summary>DeleteOptions from the query or the body: propagation policy and preconditions.</summary>
internal sealed record DeleteOptions(string PropagationPolicy = "Background", string? Uid = null, string? ResourceVersion = null);
