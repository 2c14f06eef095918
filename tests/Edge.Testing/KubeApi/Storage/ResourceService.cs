using System.Text.Json.Nodes;

namespace Edge.Testing.KubeApi;

/// <summary>
/// The API semantics over the store, independent of HTTP: reads, lists with selectors and snapshot pages, creates,
/// updates with resourceVersion preconditions and the status-subresource rules, patches, server-side apply, deletes
/// with finalizers and owner-reference collection. Every operation runs under the store lock, so a read-modify-write
/// is atomic.
/// </summary>
internal sealed partial class ResourceService
{
    private readonly ObjectStore _store;
    private readonly ResourceCatalog _catalog;
    private readonly TimeProvider _time;
    private readonly ListSnapshots _snapshots = new();

    public ResourceService(ObjectStore store, ResourceCatalog catalog, TimeProvider time)
    {
        _store = store;
        _catalog = catalog;
        _time = time;
    }

    public ObjectStore Store => _store;

    public ResourceCatalog Catalog => _catalog;

    public JsonObject Get(ResourceType type, string ns, string name) =>
        Output(_store.Get(type, ns, name) ?? throw StatusBodies.NotFound(type, name), type);

    /// <summary>A <c>&lt;Kind&gt;List</c>: sorted by namespace then name, paged from a snapshot when <paramref name="limit"/> is set.</summary>
    public JsonObject List(ResourceType type, string? ns, LabelSelector labels, FieldSelector fields, int limit, string? continueToken) =>
        _store.Locked(() =>
        {
            List<JsonObject> items;
            long rv;
            var offset = 0;
            if (!string.IsNullOrEmpty(continueToken))
            {
                if (!ListSnapshots.TryDecode(continueToken, out var token))
                {
                    throw StatusBodies.BadRequest("continue key is not valid: illegal base64 data or malformed token");
                }

                var snapshot = _snapshots.Find(token.Id);
                if (snapshot is null || _store.Log.IsTooOld(token.ResourceVersion))
                {
                    var rest = Matching(type, ns, labels, fields)
                        .Where(o => KeyAfter(o, token.LastNamespace, token.LastName)).ToList();
                    var fresh = rest.Count == 0 ? null : ListSnapshots.Encode(new ListSnapshots.Token(
                        _snapshots.Add(new ListSnapshots.Snapshot(_store.CurrentUnlocked, rest)), _store.CurrentUnlocked, 0, "", ""));
                    throw StatusBodies.ContinueExpired(fresh);
                }

                (items, rv, offset) = ([.. snapshot.Items], snapshot.ResourceVersion, token.Offset);
            }
            else
            {
                items = Matching(type, ns, labels, fields);
                rv = _store.CurrentUnlocked;
            }

            var page = limit > 0 ? items.Skip(offset).Take(limit).ToList() : items.Skip(offset).ToList();
            var metadata = new JsonObject { ["resourceVersion"] = rv.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            var next = offset + page.Count;
            if (limit > 0 && next < items.Count)
            {
                var last = page[^1]["metadata"]!;
                var id = continueToken is not null && ListSnapshots.TryDecode(continueToken, out var previous) ? previous.Id
                    : _snapshots.Add(new ListSnapshots.Snapshot(rv, items));
                metadata["continue"] = ListSnapshots.Encode(new ListSnapshots.Token(id, rv, next, (string?)last["namespace"] ?? "", (string?)last["name"] ?? ""));
                if (labels.IsEmpty)
                {
                    metadata["remainingItemCount"] = items.Count - next;
                }
            }

            return new JsonObject
            {
                ["kind"] = type.ListKind,
                ["apiVersion"] = type.ApiVersion,
                ["metadata"] = metadata,
                ["items"] = new JsonArray(page.Select(o => (JsonNode)Output(o, type)).ToArray()),
            };
        });

    /// <summary>The object as served at <paramref name="type"/>'s version (a copy when the stored apiVersion differs).</summary>
    public static JsonObject Output(JsonObject stored, ResourceType type)
    {
        var copy = stored.DeepClone().AsObject();
        copy["apiVersion"] = type.ApiVersion;
        return copy;
    }

    private List<JsonObject> Matching(ResourceType type, string? ns, LabelSelector labels, FieldSelector fields) =>
        _store.List(type, ns).Where(o => labels.Matches(o) && fields.Matches(o)).ToList();

    private static bool KeyAfter(JsonObject obj, string ns, string name)
    {
        var c = string.CompareOrdinal((string?)obj["metadata"]?["namespace"] ?? "", ns);
        return c > 0 || (c == 0 && string.CompareOrdinal(ObjectRules.Name(obj), name) > 0);
    }

    private ResourceType TypeOf(string group, string plural) => _catalog.Versions(group, plural) is [var first, ..] ? first
        : BuiltInResources.All.First(t => t.Group == group && t.Plural == plural);

    private string Now() => ObjectRules.Timestamp(_time);
}
