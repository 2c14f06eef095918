using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Prometheus;

namespace Edge.Hosting;

/// <summary>
/// The admin surface every Edge daemon serves: <c>/healthz</c> (the process answers), <c>/readyz</c> (200 once the
/// caller says it is ready) and <c>/metrics</c> (Prometheus text format).
/// </summary>
public static class HealthEndpoints
{
    public static void UseEdgeAdmin(this IApplicationBuilder app, Func<bool> ready, Func<string>? readyDetail = null)
    {
        app.UseMetricServer("/metrics");
        app.Run(context =>
        {
            var response = context.Response;
            response.ContentType = "text/plain; charset=utf-8";
            switch (context.Request.Path.Value)
            {
                case "/healthz":
                    return response.WriteAsync("ok\n");
                case "/readyz":
                    if (ready())
                    {
                        return response.WriteAsync("ok\n");
                    }

                    response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                    return response.WriteAsync((readyDetail?.Invoke() ?? "not ready") + "\n");
                default:
                    response.StatusCode = StatusCodes.Status404NotFound;
                    return response.WriteAsync("not found: /healthz, /readyz and /metrics are served here\n");
            }
        });
    }

    private static int _gcPauseRegistered;

    /// <summary>
    /// Keeps the default process metrics (CPU, RSS, open files) and drops prometheus-net's EventCounter and Meter
    /// listeners, which cost CPU on every request path. Adds two counters read from the runtime at scrape time only:
    /// <c>dotnet_gc_pause_seconds_total</c>, the time the garbage collector has held every managed thread (latency
    /// every request in flight then sees), and <c>dotnet_gc_allocated_bytes_total</c>, what the process allocates.
    /// </summary>
    public static void ConfigureDefaultMetrics()
    {
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions
        {
            SuppressEventCounters = true,
            SuppressMeters = true,
            SuppressDebugMetrics = true,
            SuppressProcessMetrics = false,
        });
        if (Interlocked.Exchange(ref _gcPauseRegistered, 1) == 0)
        {
            var pause = Metrics.CreateCounter("dotnet_gc_pause_seconds_total",
                "Time the garbage collector has paused the process's managed threads since start.");
            var allocated = Metrics.CreateCounter("dotnet_gc_allocated_bytes_total", "Bytes allocated on the managed heap since start.");
            Metrics.DefaultRegistry.AddBeforeCollectCallback(() =>
            {
                pause.IncTo(GC.GetTotalPauseDuration().TotalSeconds);
                allocated.IncTo(GC.GetTotalAllocatedBytes());
            });
        }
    }
}
