using System.Text.Json.Nodes;

namespace Edge.Testing.KubeApi;

/// <summary>Create, update and patch (merge, JSON, strategic, apply).</summary>
internal sealed partial class ResourceService
{
    /// <summary>POST: server fields set, namespace checked, validated, 409 if it exists. <paramref name="keepStatus"/> is for test setup.</summary>
    public JsonObject Create(ResourceType type, string ns, JsonObject body, WriteOptions options, bool keepStatus = false) =>
        _store.Locked(() =>
        {
            var obj = body.DeepClone().AsObject();
            Prepare(type, ns, obj, keepStatus);
            ServerSideApply.RecordUpdate(null, obj, options.Manager, type.ApiVersion, Now(), null);
            return CommitCreate(type, obj, options);
        });

    /// <summary>PUT of the object or of its status.</summary>
    public JsonObject Update(ResourceType type, string ns, string name, JsonObject body, string? subresource, WriteOptions options) =>
        _store.Locked(() =>
        {
            CheckNames(type, ns, name, body);
            var current = _store.Get(type, ns, name) ?? throw StatusBodies.NotFound(type, name);
            if (string.IsNullOrEmpty(ObjectRules.ResourceVersion(body)) && type.IsCustom)
            {
                throw StatusBodies.Invalid(type, name, [Validation.Invalid("metadata.resourceVersion", "0x0", "must be specified for an update")]);
            }

            return Replace(type, current, body.DeepClone().AsObject(), subresource, options, recordUpdate: true);
        });

    /// <summary>PATCH; returns the object and whether it was created (only apply creates).</summary>
    public (JsonObject Object, bool Created) Patch(ResourceType type, string ns, string name, string contentType, string body, string? subresource, WriteOptions options) =>
        _store.Locked(() =>
        {
            var mediaType = contentType.Split(';')[0].Trim().ToLowerInvariant();
            var current = _store.Get(type, ns, name);
            if (mediaType == "application/apply-patch+yaml")
            {
                return ApplyPatch(type, ns, name, current, body, subresource, options);
            }

            var patch = ParseJson(body);
            if (current is null)
            {
                throw StatusBodies.NotFound(type, name);
            }

            var patched = mediaType switch
            {
                "application/merge-patch+json" => MergePatch.Apply(current, patch) as JsonObject ?? throw StatusBodies.BadRequest("merge patch must be an object"),
                "application/json-patch+json" => JsonPatch.Apply(current, patch),
                "application/strategic-merge-patch+json" when !type.IsCustom => StrategicMergePatch.Apply(current, patch as JsonObject ?? throw StatusBodies.BadRequest("strategic merge patch must be an object")),
                _ => throw StatusBodies.UnsupportedMediaType(contentType),
            };
            CheckNames(type, ns, name, patched);
            return (Replace(type, current, patched, subresource, options, recordUpdate: true), false);
        });

    private (JsonObject, bool) ApplyPatch(ResourceType type, string ns, string name, JsonObject? current, string body, string? subresource, WriteOptions options)
    {
        if (options.FieldManager is null)
        {
            throw StatusBodies.BadRequest("PATCH, application/apply-patch+yaml requires fieldManager parameter");
        }

        var applied = YamlToJson.Parse(body) as JsonObject ?? throw StatusBodies.BadRequest("apply patch must be an object");
        CheckNames(type, ns, name, applied);
        if (subresource == "status")
        {
            applied = new JsonObject { ["metadata"] = new JsonObject { ["name"] = name }, ["status"] = applied["status"]?.DeepClone() };
        }
        else if (type.HasStatus)
        {
            applied.Remove("status");
        }

        var merged = ServerSideApply.Apply(current, applied, options.FieldManager, options.Force, type.ApiVersion, Now(), subresource == "status" ? "status" : null);
        if (current is null)
        {
            if (subresource == "status")
            {
                throw StatusBodies.NotFound(type, name);
            }

            ObjectRules.Metadata(merged)["name"] = name;
            var managed = merged["metadata"]?["managedFields"]?.DeepClone();
            Prepare(type, ns, merged, keepStatus: false);
            ObjectRules.Metadata(merged)["managedFields"] = managed;
            return (CommitCreate(type, merged, options), true);
        }

        return (Replace(type, current, merged, subresource, options, recordUpdate: false), false);
    }

    /// <summary>The shared update path: preconditions, status rules, server fields, finalizers, generation, validation, no-op detection.</summary>
    private JsonObject Replace(ResourceType type, JsonObject current, JsonObject candidate, string? subresource, WriteOptions options, bool recordUpdate)
    {
        var name = ObjectRules.Name(current);
        var wanted = ObjectRules.ResourceVersion(candidate);
        if (!string.IsNullOrEmpty(wanted) && wanted != ObjectRules.ResourceVersion(current))
        {
            throw StatusBodies.Conflict(type, name);
        }

        var applied = candidate["metadata"]?["managedFields"]?.DeepClone();
        JsonObject next;
        if (subresource == "status")
        {
            next = current.DeepClone().AsObject();
            next.Remove("status");
            if (candidate["status"] is { } status)
            {
                next["status"] = status.DeepClone();
            }
        }
        else
        {
            next = candidate;
            if (type.HasStatus)
            {
                next.Remove("status");
                if (current["status"] is { } status)
                {
                    next["status"] = status.DeepClone();
                }
            }
        }

        ObjectRules.KeepServerFields(current, next, type);
        if (!recordUpdate && applied is not null)
        {
            ObjectRules.Metadata(next)["managedFields"] = applied;
        }
        if (ObjectRules.IsDeleting(current))
        {
            var added = ObjectRules.Finalizers(next).Except(ObjectRules.Finalizers(current)).ToList();
            if (added.Count > 0)
            {
                var list = string.Join(", ", added.Select(f => $"\"{f}\""));
                throw StatusBodies.Invalid(type, name, [Validation.Forbidden("metadata.finalizers", $"no new finalizers can be added if the object is being deleted, found new finalizers []string{{{list}}}")]);
            }
        }

        if (subresource != "status" && ObjectRules.SpecChanged(current, next))
        {
            ObjectRules.Metadata(next)["generation"] = ObjectRules.Generation(current) + 1;
        }

        var errors = Validation.Validate(type, next);
        if (errors.Count > 0)
        {
            throw StatusBodies.Invalid(type, name, errors);
        }

        if (!ObjectRules.Differs(current, next) && (recordUpdate || !ManagedFields.OwnershipChanged(current, next)))
        {
            return Output(current, type);
        }

        if (recordUpdate)
        {
            ServerSideApply.RecordUpdate(current, next, options.Manager, type.ApiVersion, Now(), subresource == "status" ? "status" : null);
        }

        if (options.DryRun)
        {
            ObjectRules.Metadata(next)["resourceVersion"] = ObjectRules.ResourceVersion(current);
            return Output(next, type);
        }

        if (ObjectRules.IsDeleting(next) && ObjectRules.Finalizers(next).Count == 0)
        {
            Remove(type, next, current, "Background");
            return Output(next, type);
        }

        _store.Commit(type.Group, type.Plural, "MODIFIED", next, current);
        if (type == ResourceCatalog.Crds)
        {
            _catalog.Register(next);
        }

        return Output(next, type);
    }

    private void Prepare(ResourceType type, string ns, JsonObject obj, bool keepStatus)
    {
        var metadata = ObjectRules.Metadata(obj);
        if (type.Namespaced)
        {
            var bodyNs = (string?)metadata["namespace"];
            if (!string.IsNullOrEmpty(bodyNs) && bodyNs != ns)
            {
                throw StatusBodies.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            metadata["namespace"] = ns;
            if (_store.Get(ResourceCatalog.Namespaces, "", ns) is null)
            {
                throw StatusBodies.NamespaceNotFound(ns);
            }
        }
        else
        {
            metadata.Remove("namespace");
        }

        if (string.IsNullOrEmpty((string?)metadata["name"]) && (string?)metadata["generateName"] is { Length: > 0 } prefix)
        {
            metadata["name"] = ObjectRules.Generate(prefix);
        }

        obj["apiVersion"] = type.ApiVersion;
        obj["kind"] = type.Kind;
        foreach (var key in new[] { "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "managedFields" })
        {
            metadata.Remove(key);
        }

        metadata["uid"] = Guid.NewGuid().ToString();
        metadata["creationTimestamp"] = Now();
        metadata["generation"] = 1L;
        if (type.HasStatus && !keepStatus)
        {
            obj.Remove("status");
        }

        if (type == ResourceCatalog.Namespaces && obj["status"] is null)
        {
            obj["status"] = new JsonObject { ["phase"] = "Active" };
        }
    }

    private JsonObject CommitCreate(ResourceType type, JsonObject obj, WriteOptions options)
    {
        var name = ObjectRules.Name(obj);
        var errors = Validation.Validate(type, obj);
        if (errors.Count > 0)
        {
            throw StatusBodies.Invalid(type, name, errors);
        }

        if (_store.Get(type, (string?)obj["metadata"]?["namespace"] ?? "", name) is not null)
        {
            throw StatusBodies.AlreadyExists(type, name);
        }

        if (type == ResourceCatalog.Crds)
        {
            CustomResources.Accept(obj);
        }

        if (options.DryRun)
        {
            return Output(obj, type);
        }

        _store.Commit(type.Group, type.Plural, "ADDED", obj, null);
        if (type == ResourceCatalog.Crds)
        {
            _catalog.Register(obj);
        }

        return Output(obj, type);
    }

    private static void CheckNames(ResourceType type, string ns, string name, JsonObject body)
    {
        var metadata = body["metadata"] as JsonObject;
        var bodyName = (string?)metadata?["name"];
        if (!string.IsNullOrEmpty(bodyName) && bodyName != name)
        {
            throw StatusBodies.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        }

        var bodyNs = (string?)metadata?["namespace"];
        if (type.Namespaced && !string.IsNullOrEmpty(bodyNs) && bodyNs != ns)
        {
            throw StatusBodies.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
    }

    private static JsonNode? ParseJson(string body)
    {
        try
        {
            return JsonNode.Parse(body);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw StatusBodies.BadRequest($"error decoding patch: {e.Message}");
        }
    }
}
