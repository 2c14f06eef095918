using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Edge.Testing.KubeApi;

/// <summary>get, list, create, update, patch, delete and deletecollection over HTTP.</summary>
internal static class ResourceHandlers
{
    public static async Task HandleAsync(ResourceService service, HttpContext context, Route route, RequestInfo info)
    {
        var type = route.Type!;
        var ns = route.Namespace ?? "";
        var name = route.Name ?? "";
        var options = HttpIo.WriteOptions(context);
        if (type.Namespaced && route.Namespace is null && info.Verb is not ("list" or "deletecollection"))
        {
            throw StatusBodies.PathNotFound();
        }

        switch (info.Verb)
        {
            case "get":
                await HttpIo.WriteJsonAsync(context, 200, service.Get(type, ns, name), info);
                break;
            case "list":
                var (labels, fields) = Selectors(context, type);
                var limit = HttpIo.Int(context, "limit") ?? 0;
                await HttpIo.WriteJsonAsync(context, 200, service.List(type, route.Namespace, labels, fields, limit, HttpIo.Query(context, "continue")), info);
                break;
            case "create":
                await HttpIo.WriteJsonAsync(context, 201, service.Create(type, ns, await HttpIo.ReadObjectAsync(context), options), info);
                break;
            case "update":
                await HttpIo.WriteJsonAsync(context, 200, service.Update(type, ns, name, await HttpIo.ReadObjectAsync(context), route.Subresource, options), info);
                break;
            case "patch":
                var body = await HttpIo.ReadBodyAsync(context);
                var (obj, created) = service.Patch(type, ns, name, context.Request.ContentType ?? "", body, route.Subresource, options);
                await HttpIo.WriteJsonAsync(context, created ? 201 : 200, obj, info);
                break;
            case "delete":
                await HttpIo.WriteJsonAsync(context, 200, service.Delete(type, ns, name, await DeleteOptionsAsync(context), options), info);
                break;
            case "deletecollection":
                var (l, f) = Selectors(context, type);
                await HttpIo.WriteJsonAsync(context, 200, service.DeleteCollection(type, route.Namespace, l, f, await DeleteOptionsAsync(context), options), info);
                break;
            default:
                throw StatusBodies.MethodNotAllowed($"the server does not allow this method on the requested resource");
        }
    }

    private static (LabelSelector, FieldSelector) Selectors(HttpContext context, ResourceType type)
    {
        if (!LabelSelector.TryParse(HttpIo.Query(context, "labelSelector"), out var labels, out var error) ||
            !FieldSelector.TryParse(HttpIo.Query(context, "fieldSelector"), type, out var fields, out error))
        {
            throw StatusBodies.BadRequest(error!);
        }

        return (labels, fields);
    }

    private static async Task<DeleteOptions> DeleteOptionsAsync(HttpContext context)
    {
        var policy = HttpIo.Query(context, "propagationPolicy");
        string? uid = null;
        string? rv = null;
        var text = await HttpIo.ReadBodyAsync(context);
        if (!string.IsNullOrWhiteSpace(text))
        {
            JsonNode? body;
            try
            {
                body = JsonNode.Parse(text);
            }
            catch (System.Text.Json.JsonException e)
            {
                throw StatusBodies.BadRequest($"invalid DeleteOptions: {e.Message}");
            }

            policy ??= (string?)body?["propagationPolicy"];
            if ((bool?)body?["orphanDependents"] == true)
            {
                policy ??= "Orphan";
            }

            uid = (string?)body?["preconditions"]?["uid"];
            rv = (string?)body?["preconditions"]?["resourceVersion"];
        }

        if (HttpIo.Flag(context, "orphanDependents"))
        {
            policy ??= "Orphan";
        }

        return new DeleteOptions(policy ?? "Background", uid, rv);
    }
}
