namespace Edge.Testing.KubeApi;

/// <summary>What a path names: a discovery document, a health check, a resource (collection, object, subresource) or nothing.</summary>
internal sealed record Route(string Kind, ResourceType? Type = null, string? Namespace = null, string? Name = null, string? Subresource = null, string? Group = null, string? Version = null);

/// <summary>Parses API paths: <c>/api/v1[/namespaces/ns]/plural[/name[/status]]</c> and the same under <c>/apis/group/version</c>.</summary>
internal static class RouteParser
{
    public static Route Parse(string path, ResourceCatalog catalog)
    {
        var s = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        switch (s)
        {
            case []:
                return new Route("root");
            case ["version"]:
                return new Route("version");
            case ["healthz" or "readyz" or "livez", ..]:
                return new Route("health");
            case ["api"]:
                return new Route("core-versions");
            case ["api", "v1"]:
                return new Route("resource-list", Group: "", Version: "v1");
            case ["apis"]:
                return new Route("groups");
            case ["apis", var g]:
                return new Route("group", Group: g);
            case ["apis", var g, var v]:
                return new Route("resource-list", Group: g, Version: v);
            case ["api", "v1", .. var rest]:
                return Resource(catalog, "", "v1", rest);
            case ["apis", var g, var v, .. var rest]:
                return Resource(catalog, g, v, rest);
            default:
                return new Route("unknown");
        }
    }

    private static Route Resource(ResourceCatalog catalog, string group, string version, string[] rest)
    {
        string? ns = null;
        if (rest is ["namespaces", var n, var next, ..] && next is not ("status" or "finalize"))
        {
            ns = n;
            rest = rest[2..];
        }

        if (rest.Length is 0 or > 3 || catalog.Find(group, version, rest[0]) is not { } type)
        {
            return new Route("unknown", Group: group, Version: version);
        }

        if (ns is not null && !type.Namespaced)
        {
            return new Route("unknown", Group: group, Version: version);
        }

        var name = rest.Length > 1 ? rest[1] : null;
        var sub = rest.Length > 2 ? rest[2] : null;
        if (sub is not null && !(sub == "status" && type.HasStatus))
        {
            return new Route("unknown", Group: group, Version: version);
        }

        return new Route("resource", type, ns, name, sub, group, version);
    }

    /// <summary>The Kubernetes verb of a resource request.</summary>
    public static string Verb(string method, Route route, bool watch) => (method, route.Name is null) switch
    {
        ("GET", false) => "get",
        ("GET", true) => watch ? "watch" : "list",
        ("POST", true) => "create",
        ("PUT", false) => "update",
        ("PATCH", false) => "patch",
        ("DELETE", false) => "delete",
        ("DELETE", true) => "deletecollection",
        _ => "unsupported",
    };
}
