using System.Collections.Concurrent;
using Alb.Core.Routing;
using Route = Alb.Core.Routing.Route;
using Alb.Observability;

namespace Alb.Proxy;

/// <summary>Per-route values computed once per publish: the pool, and the metric labels ingress-nginx uses.</summary>
internal sealed class RouteRuntime
{
    private readonly ConcurrentDictionary<(int Status, string Method), RequestMetrics.Children> _metrics = new();
    private readonly RequestMetrics _requestMetrics;

    public RouteRuntime(Route? route, VirtualHost host, BackendPool? pool, RequestMetrics metrics)
    {
        Route = route;
        Pool = pool;
        _requestMetrics = metrics;
        Host = host.Host == RouteTable.CatchAllHost ? "_" : host.Host;
        Path = route?.Path ?? "/";
        Namespace = route?.Source.Namespace ?? "";
        Ingress = route?.Source.Ingress ?? "";
        Service = pool?.Backend.Service ?? "";
    }

    public Route? Route { get; }

    public BackendPool? Pool { get; }

    public string Host { get; }

    public string Path { get; }

    public string Namespace { get; }

    public string Ingress { get; }

    public string Service { get; }

    public RequestMetrics.Children MetricsFor(int status, string method) =>
        _metrics.TryGetValue((status, method), out var children)
            ? children
            : _metrics.GetOrAdd((status, method), key => _requestMetrics.For(this, key.Status, key.Method));
}
