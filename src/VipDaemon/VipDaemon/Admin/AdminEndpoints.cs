using System.Text.Json;
using Prometheus;
using VipDaemon.Core.Admin;
using VipDaemon.Daemon;

namespace VipDaemon.Admin;

/// <summary>
/// What the admin endpoint answers, by path: <c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c> (Prometheus text, or
/// OpenMetrics when the Accept header prefers it) and <c>/status</c> (the instances as JSON). The bodies and content
/// types are those of the ASP.NET admin surface it replaces (Edge.Hosting's <c>UseEdgeAdmin</c>).
/// </summary>
internal sealed class AdminEndpoints(CollectorRegistry registry, Func<bool> ready, Func<List<InstanceStatus>> status)
{
    private const string PrometheusText = "text/plain; version=0.0.4; charset=utf-8";
    private const string OpenMetricsText = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private const string Json = "application/json; charset=utf-8";

    public static readonly AdminResponse NotFound = AdminResponse.Text(404, "not found: /healthz, /readyz and /metrics are served here\n");

    public async Task<AdminResponse> AnswerAsync(RequestHead request, CancellationToken cancellationToken) => request.Path switch
    {
        "/healthz" => AdminResponse.Text(200, "ok\n"),
        "/readyz" => ready() ? AdminResponse.Text(200, "ok\n") : AdminResponse.Text(503, "not ready\n"),
        "/metrics" => await MetricsAsync(request.Accept, cancellationToken).ConfigureAwait(false),
        "/status" => new AdminResponse(200, Json, JsonSerializer.SerializeToUtf8Bytes(status(), StatusJson.Default.ListInstanceStatus)),
        _ => NotFound,
    };

    private async Task<AdminResponse> MetricsAsync(string? accept, CancellationToken cancellationToken)
    {
        var openMetrics = MetricsFormat.PrefersOpenMetrics(accept);
        using var body = new MemoryStream();
        try
        {
            await registry.CollectAndExportAsTextAsync(body, openMetrics ? ExpositionFormat.OpenMetricsText : ExpositionFormat.PrometheusText, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (ScrapeFailedException e)
        {
            return AdminResponse.Text(503, e.Message);
        }

        return new AdminResponse(200, openMetrics ? OpenMetricsText : PrometheusText, body.ToArray());
    }
}
