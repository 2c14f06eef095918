using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Edge.Testing.KubeApi;

/// <summary>
/// The one request entry: logs the request, applies the fault hooks, routes it to discovery or a resource handler,
/// and turns an <see cref="ApiError"/> into its Status body.
/// </summary>
internal sealed class ApiRouter
{
    private readonly ResourceService _service;
    private readonly FaultInjector _faults;
    private readonly RequestLog _log;
    private readonly WatchHandler _watch;
    private readonly Func<string> _serverAddress;

    public ApiRouter(ResourceService service, FaultInjector faults, RequestLog log, WatchHandler watch, Func<string> serverAddress)
    {
        _service = service;
        _faults = faults;
        _log = log;
        _watch = watch;
        _serverAddress = serverAddress;
    }

    public Action<RequestInfo>? OnCompleted { get; init; }

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var route = RouteParser.Parse(request.Path.Value ?? "/", _service.Catalog);
        var watch = HttpIo.Flag(context, "watch");
        var info = new RequestInfo
        {
            Sequence = _log.NextSequence(),
            Method = request.Method,
            Path = request.Path.Value ?? "/",
            Query = request.QueryString.Value ?? "",
            Verb = route.Kind == "resource" ? RouteParser.Verb(request.Method, route, watch) : route.Kind is "unknown" or "health" ? "other" : "discovery",
            Group = route.Type?.Group ?? route.Group,
            Version = route.Type?.Version ?? route.Version,
            Resource = route.Type?.Plural,
            Namespace = route.Namespace,
            Name = route.Name,
            Subresource = route.Subresource,
            ContentType = request.ContentType,
            UserAgent = request.Headers.UserAgent.ToString(),
            BearerToken = request.Headers.Authorization.ToString() is { } authorization && authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization[7..] : null,
        };
        _log.Add(info);
        try
        {
            if (await _faults.BeforeAsync(info, context.RequestAborted) is { } injected)
            {
                throw injected;
            }

            if (info.IsWrite)
            {
                await _faults.WaitForWritesAsync(context.RequestAborted);
            }

            await DispatchAsync(context, route, info);
        }
        catch (ApiError error) when (!context.Response.HasStarted)
        {
            await HttpIo.WriteErrorAsync(context, error, info);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // the client went away
        }
        catch (Exception e) when (!context.Response.HasStarted && e is not OperationCanceledException)
        {
            await HttpIo.WriteErrorAsync(context, StatusBodies.InternalError($"{e.GetType().Name}: {e.Message}"), info);
        }
        finally
        {
            OnCompleted?.Invoke(info);
        }
    }

    private Task DispatchAsync(HttpContext context, Route route, RequestInfo info)
    {
        var catalog = _service.Catalog;
        switch (route.Kind)
        {
            case "root":
                return HttpIo.WriteJsonAsync(context, 200, new JsonObject { ["paths"] = new JsonArray("/api", "/api/v1", "/apis", "/healthz", "/livez", "/readyz", "/version") }, info);
            case "version":
                return HttpIo.WriteJsonAsync(context, 200, Discovery.Version(), info);
            case "health":
                info.StatusCode = 200;
                context.Response.ContentType = "text/plain; charset=utf-8";
                return context.Response.WriteAsync("ok");
            case "core-versions":
                return HttpIo.WriteJsonAsync(context, 200, Discovery.CoreVersions(_serverAddress()), info);
            case "groups":
                return HttpIo.WriteJsonAsync(context, 200, Discovery.GroupList(catalog), info);
            case "group":
                var group = catalog.Groups().FirstOrDefault(g => g.Group == route.Group);
                return group.Group is null ? throw StatusBodies.PathNotFound() : HttpIo.WriteJsonAsync(context, 200, Discovery.Group(group.Group, group.Versions), info);
            case "resource-list":
                var types = catalog.Types.Where(t => t.Group == route.Group && t.Version == route.Version).ToList();
                return types.Count == 0 ? throw StatusBodies.PathNotFound()
                    : HttpIo.WriteJsonAsync(context, 200, Discovery.ResourceList(types[0].ApiVersion, types), info);
            case "resource":
                return info.Verb == "watch" ? _watch.HandleAsync(context, route, info) : ResourceHandlers.HandleAsync(_service, context, route, info);
            default:
                throw StatusBodies.PathNotFound();
        }
    }
}
