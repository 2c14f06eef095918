using AlbOperator.Cluster;
using AlbOperator.Observability;
using AlbOperator.Webhook;
using Edge.Kubernetes;

namespace AlbOperator.Reconciling;

/// <summary>
/// The leader's reconcile loop: after the informers' first full list, every Alb whose fingerprint (its own and its
/// objects' resourceVersions, and the webhook problem) changed since its last reconcile is reconciled, in name order;
/// then it waits for the next coalesced change. An Alb that failed is tried again with backoff; every
/// <see cref="Resync"/> all are looked at again. Ends when the term ends.
/// </summary>
internal sealed partial class ReconcileLoop(ClusterView cluster, AlbReconciler reconciler, WebhookState webhook, OperatorMetrics metrics, TimeProvider time, ILogger<ReconcileLoop> logger)
{
    public static readonly TimeSpan Resync = TimeSpan.FromMinutes(5);

    public async Task RunAsync(CancellationToken term)
    {
        await cluster.Synced.WaitAsync(term).ConfigureAwait(false);
        reconciler.Forget();
        var done = new Dictionary<string, string>(StringComparer.Ordinal);
        var backoff = new Backoff(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30));
        var lastFull = time.GetTimestamp();
        while (!term.IsCancellationRequested)
        {
            if (time.GetElapsedTime(lastFull) >= Resync)
            {
                done.Clear();
                lastFull = time.GetTimestamp();
            }

            var failed = false;
            var albs = cluster.AlbResources();
            metrics.Albs.Set(albs.Count);
            foreach (var alb in albs)
            {
                var problem = webhook.Problem;
                var fingerprint = $"{cluster.Fingerprint(alb)}|{problem}";
                var uid = alb.Metadata.Uid ?? alb.ToString();
                if (done.TryGetValue(uid, out var last) && last == fingerprint)
                {
                    continue;
                }

                var started = time.GetTimestamp();
                ReconcileOutcome outcome;
                try
                {
                    outcome = await reconciler.ReconcileAsync(alb, problem, term).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (term.IsCancellationRequested)
                {
                    return; // the Lease is lost: nothing more is written
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The API server failing, a 409 on the finalizer, or a bug: this Alb is tried again; the others go on.
                    LogFailed(logger, alb.ToString(), e.Message);
                    outcome = ReconcileOutcome.Failed;
                }

                metrics.Reconciles.WithLabels(OutcomeName(outcome)).Inc();
                if (outcome != ReconcileOutcome.Unchanged)
                {
                    metrics.ReconcileSeconds.Observe(time.GetElapsedTime(started).TotalSeconds);
                }

                if (outcome == ReconcileOutcome.Failed)
                {
                    failed = true;
                    done.Remove(uid);
                }
                else
                {
                    done[uid] = fingerprint;
                }
            }

            var present = albs.Select(a => a.Metadata.Uid ?? a.ToString()).ToHashSet(StringComparer.Ordinal);
            foreach (var gone in done.Keys.Where(k => !present.Contains(k)).ToList())
            {
                done.Remove(gone);
            }

            TimeSpan wait;
            if (failed)
            {
                wait = backoff.Next();
            }
            else
            {
                backoff.Reset();
                wait = Resync - time.GetElapsedTime(lastFull);
            }

            using var next = CancellationTokenSource.CreateLinkedTokenSource(term);
            next.CancelAfter(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1));
            await cluster.AlbChanges.WaitAsync(next.Token).ConfigureAwait(false);
        }
    }

    private static string OutcomeName(ReconcileOutcome outcome) => outcome switch
    {
        ReconcileOutcome.Unchanged => "unchanged",
        ReconcileOutcome.Applied => "applied",
        ReconcileOutcome.CleanedUp => "cleaned_up",
        _ => "failed",
    };

    [LoggerMessage(EventId = 210, Level = LogLevel.Warning, Message = "Alb {Alb}: reconcile failed, retrying: {Reason}")]
    private static partial void LogFailed(ILogger logger, string alb, string reason);
}
