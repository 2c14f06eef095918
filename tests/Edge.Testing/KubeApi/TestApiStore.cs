using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Edge.Testing.KubeApi;

/// <summary>
/// Direct access to the server's objects for test setup and inspection, through the same rules as the API (server
/// fields, resourceVersion, events to watches) but without HTTP, faults or paused writes; status is written as given.
/// </summary>
public sealed class TestApiStore
{
    private readonly ResourceService _service;

    internal TestApiStore(ResourceService service) => _service = service;

    /// <summary>The current global resourceVersion.</summary>
    public long ResourceVersion => _service.Store.ResourceVersion;

    /// <summary>Everything served now (built-ins and registered custom resources).</summary>
    public IReadOnlyList<ResourceType> Resources => _service.Catalog.Types;

    public ResourceType Resource(string apiVersion, string kind) =>
        _service.Catalog.FindKind(apiVersion, kind) ?? throw new InvalidOperationException($"{kind} in {apiVersion} is not served");

    /// <summary>Creates an object (apiVersion and kind say which resource; namespace defaults to "default"), status included.</summary>
    public JsonObject Create(JsonObject obj)
    {
        var type = TypeOf(obj);
        return _service.Create(type, Namespace(type, obj), obj, new WriteOptions(FieldManager: "test-setup"), keepStatus: true);
    }

    /// <summary>Creates a typed object (serialised as KubernetesClient would send it).</summary>
    public T Create<T>(T obj)
        where T : IKubernetesObject => KubernetesJson.Deserialize<T>(Create(ToJson(obj)).ToJsonString());

    /// <summary>Creates or replaces (unconditionally) an object, its status included.</summary>
    public JsonObject Put(JsonObject obj)
    {
        var type = TypeOf(obj);
        var ns = Namespace(type, obj);
        var name = (string?)obj["metadata"]?["name"] ?? "";
        if (_service.Store.Get(type, ns, name) is null)
        {
            return Create(obj);
        }

        var body = obj.DeepClone().AsObject();
        ObjectRules.Metadata(body).Remove("resourceVersion");
        var result = Replace(type, ns, name, body, null);
        return type.HasStatus && obj["status"] is not null ? Replace(type, ns, name, body, "status") : result;
    }

    public JsonObject? Get(string apiVersion, string kind, string? ns, string name)
    {
        var type = Resource(apiVersion, kind);
        return _service.Store.Get(type, type.Namespaced ? ns ?? "default" : "", name) is { } obj ? ResourceService.Output(obj, type) : null;
    }

    public T? Get<T>(string? ns, string name)
        where T : IKubernetesObject
    {
        var (apiVersion, kind) = TypeName<T>();
        return Get(apiVersion, kind, ns, name) is { } obj ? KubernetesJson.Deserialize<T>(obj.ToJsonString()) : default;
    }

    /// <summary>Objects of one kind, sorted by namespace then name; <paramref name="ns"/> null = all namespaces.</summary>
    public IReadOnlyList<JsonObject> List(string apiVersion, string kind, string? ns = null)
    {
        var type = Resource(apiVersion, kind);
        return _service.Store.List(type, ns).Select(o => ResourceService.Output(o, type)).ToList();
    }

    /// <summary>Deletes like the API (finalizers honoured, dependents collected); false if it did not exist.</summary>
    public bool Delete(string apiVersion, string kind, string? ns, string name)
    {
        var type = Resource(apiVersion, kind);
        var key = type.Namespaced ? ns ?? "default" : "";
        if (_service.Store.Get(type, key, name) is null)
        {
            return false;
        }

        _service.Delete(type, key, name, new DeleteOptions(), new WriteOptions(FieldManager: "test-setup"));
        return true;
    }

    internal static JsonObject ToJson<T>(T obj) => JsonNode.Parse(KubernetesJson.Serialize(obj))!.AsObject();

    private JsonObject Replace(ResourceType type, string ns, string name, JsonObject body, string? subresource)
    {
        var copy = body.DeepClone().AsObject();
        ObjectRules.Metadata(copy)["resourceVersion"] = ObjectRules.ResourceVersion(_service.Get(type, ns, name));
        return _service.Update(type, ns, name, copy, subresource, new WriteOptions(FieldManager: "test-setup"));
    }

    private ResourceType TypeOf(JsonObject obj) => Resource((string?)obj["apiVersion"] ?? "", (string?)obj["kind"] ?? "");

    private static string Namespace(ResourceType type, JsonObject obj) =>
        type.Namespaced ? (string?)obj["metadata"]?["namespace"] ?? "default" : "";

    private static (string ApiVersion, string Kind) TypeName<T>()
    {
        var attribute = (KubernetesEntityAttribute?)Attribute.GetCustomAttribute(typeof(T), typeof(KubernetesEntityAttribute))
            ?? throw new InvalidOperationException($"{typeof(T).Name} has no KubernetesEntity attribute");
        return (string.IsNullOrEmpty(attribute.Group) ? attribute.ApiVersion : $"{attribute.Group}/{attribute.ApiVersion}", attribute.Kind);
    }
}
