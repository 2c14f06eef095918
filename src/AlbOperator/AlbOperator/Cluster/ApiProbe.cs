using AlbOperator.Cli;
using AlbOperator.Observability;
using Edge.Kubernetes;
using k8s.Models;

namespace AlbOperator.Cluster;

/// <summary>
/// Readiness: a replica is ready while it can reach the API server, leader or not. Every <see cref="Interval"/> it
/// reads the operator's Lease; any answer below 500 (a 404 included) counts as reachable. Not ready after
/// <see cref="Stale"/> without one.
/// </summary>
internal sealed partial class ApiProbe(KubeApi api, RunOptions options, OperatorMetrics metrics, TimeProvider time, ILogger<ApiProbe> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan Stale = TimeSpan.FromSeconds(20);

    private long _lastAnswer = long.MinValue;
    private string _lastError = "the API server has not answered yet";

    public bool Ready => Interlocked.Read(ref _lastAnswer) is var last && last != long.MinValue && time.GetElapsedTime(last) < Stale;

    public string Detail => Ready ? "ok" : $"API server not reachable: {_lastError}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var reached = false;
            try
            {
                await api.GetAsync<V1Lease>(ResourceKind.Leases, options.Namespace, options.LeaseName, stoppingToken).ConfigureAwait(false);
                reached = true;
            }
            catch (KubeApiException e) when (e.Code is > 0 and < 500)
            {
                reached = true; // it answered (e.g. 403): reachable; the informers report what is wrong
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is KubeApiException or HttpRequestException or TimeoutException or IOException)
            {
                if (Ready)
                {
                    LogUnreachable(logger, e.Message);
                }

                _lastError = e.Message;
            }

            if (reached)
            {
                Interlocked.Exchange(ref _lastAnswer, time.GetTimestamp());
            }

            metrics.ApiReachable.Set(Ready ? 1 : 0);
            try
            {
                await Task.Delay(Interval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(EventId = 110, Level = LogLevel.Warning, Message = "The API server did not answer: {Reason}")]
    private static partial void LogUnreachable(ILogger logger, string reason);
}
