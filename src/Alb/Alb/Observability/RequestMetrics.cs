using Alb.Proxy;
using Prometheus;

namespace Alb.Observability;

/// <summary>
/// Request metrics under ingress-nginx's names and labels, so its Grafana dashboard works unchanged.
/// Label children are cached per route, status and method: no label lookup on the hot path after the first request.
/// </summary>
internal sealed class RequestMetrics
{
    private static readonly string[] Labels = ["host", "ingress", "method", "namespace", "path", "service", "status", "canary"];

    private static readonly HashSet<string> KnownMethods = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"];

    private readonly Counter _requests;
    private readonly Histogram _duration;
    private readonly Histogram _requestSize;
    private readonly Histogram _responseSize;

    public RequestMetrics(IMetricFactory factory)
    {
        // No exemplars: prometheus-net looks for a trace context on every observation by default, which showed in
        // the request path's profile, and ingress-nginx's metrics have none.
        var none = ExemplarBehavior.NoExemplars();
        _requests = factory.CreateCounter("nginx_ingress_controller_requests", "The total number of client requests", Labels,
            new CounterConfiguration { ExemplarBehavior = none });
        _duration = factory.CreateHistogram("nginx_ingress_controller_request_duration_seconds", "The request processing time in seconds", Labels,
            new HistogramConfiguration { Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], ExemplarBehavior = none });
        // ingress-nginx's --length-buckets default: 10, 20, ... 100 bytes.
        _requestSize = factory.CreateHistogram("nginx_ingress_controller_request_size", "The request length (including request line, header, and request body)", Labels,
            new HistogramConfiguration { Buckets = Histogram.LinearBuckets(10, 10, 10), ExemplarBehavior = none });
        _responseSize = factory.CreateHistogram("nginx_ingress_controller_response_size", "The response length (including request line, header, and request body)", Labels,
            new HistogramConfiguration { Buckets = Histogram.LinearBuckets(10, 10, 10), ExemplarBehavior = none });
    }

    /// <summary>Methods outside the standard set count as OTHER, so a client cannot grow the label space.</summary>
    public static string MethodLabel(string method) => KnownMethods.Contains(method) ? method : "OTHER";

    public Children For(RouteRuntime route, int status, string method)
    {
        string[] values = [route.Host, route.Ingress, method, route.Namespace, route.Path, route.Service, status.ToString(System.Globalization.CultureInfo.InvariantCulture), ""];
        return new Children(_requests.WithLabels(values), _duration.WithLabels(values), _requestSize.WithLabels(values), _responseSize.WithLabels(values));
    }

    internal sealed record Children(Counter.Child Requests, Histogram.Child Duration, Histogram.Child RequestSize, Histogram.Child ResponseSize);
}
