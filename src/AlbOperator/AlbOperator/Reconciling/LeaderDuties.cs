using AlbOperator.Cli;
using AlbOperator.Observability;
using AlbOperator.Webhook;
using Edge.Kubernetes;

namespace AlbOperator.Reconciling;

/// <summary>
/// Campaigns for the operator's Lease (<see cref="LeaderElector"/>: not KubernetesClient's) and, while this replica
/// holds it, runs the reconcile loop and the webhook registration with the leadership token: at the renew deadline
/// both are cancelled, with any request in flight. On SIGTERM the work stops and the Lease is released, so another
/// replica takes over within its retry period.
/// </summary>
internal sealed partial class LeaderDuties(
    KubeApi api,
    RunOptions options,
    ReconcileLoop loop,
    WebhookRegistrar registrar,
    OperatorMetrics metrics,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<LeaderDuties> logger) : BackgroundService
{
    private readonly LeaderElector _elector = new(api, options.Election, time, logger);

    public bool IsLeader => _elector.IsLeader;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => _elector.RunAsync(LeadAsync, stoppingToken);

    private async Task LeadAsync(CancellationToken term)
    {
        metrics.Leader.Set(1);
        using var work = CancellationTokenSource.CreateLinkedTokenSource(term);
        Task[] running = [loop.RunAsync(work.Token), registrar.RunAsync(work.Token)];
        try
        {
            await Task.WhenAny(running).ConfigureAwait(false); // each runs until the term ends, unless it breaks
            await work.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(running).ConfigureAwait(false);
            if (!term.IsCancellationRequested)
            {
                throw new InvalidOperationException("the leader's work ended while this replica still leads");
            }
        }
        catch (OperationCanceledException) when (term.IsCancellationRequested)
        {
            // the term ended
        }
        catch (Exception e)
        {
            // A leader that cannot work must not keep the Lease: stop, release it, and let another replica lead.
            LogBroken(logger, e);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
        finally
        {
            metrics.Leader.Set(0);
        }
    }

    [LoggerMessage(EventId = 220, Level = LogLevel.Critical, Message = "The leader's work failed; stopping so that another replica leads")]
    private static partial void LogBroken(ILogger logger, Exception exception);
}
