using System.Collections.Concurrent;
using Alb.Core.Routing;
using Route = Alb.Core.Routing.Route;
using Alb.Observability;
using Alb.Pipeline;

namespace Alb.Proxy;

/// <summary>Per-route values computed once per publish: the pool, and the metric labels ingress-nginx uses.</summary>
internal sealed class RouteRuntime
{
    private readonly ConcurrentDictionary<(int Status, string Method), RequestMetrics.Children> _metrics = new();
    private readonly RequestMetrics _requestMetrics;

    public RouteRuntime(Route? route, VirtualHost host, BackendPool? pool, RoutePipeline pipeline, RequestMetrics metrics)
    {
        Route = route;
        Pool = pool;
        Pipeline = pipeline;
        AccessLog = route is not { Policies.NoAccessLog: true };
        _requestMetrics = metrics;
        Host = HostLabel(host);
        Path = route?.Path ?? "/";
        Namespace = route?.Source.Namespace ?? "";
        Ingress = route?.Source.Ingress ?? "";
        Service = pool?.Backend.Service ?? "";
    }

    public Route? Route { get; }

    /// <summary>The host as metrics and the access log name it.</summary>
    public static string HostLabel(VirtualHost host) => host.Host == RouteTable.CatchAllHost ? "_" : host.Host;

    public BackendPool? Pool { get; }

    /// <summary>The route's compiled steps, built at publish.</summary>
    public RoutePipeline Pipeline { get; }

    /// <summary><c>enable-access-log</c> of the route.</summary>
    public bool AccessLog { get; }

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
