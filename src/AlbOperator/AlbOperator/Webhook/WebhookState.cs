using AlbOperator.Cluster;
using AlbOperator.Core.StatusPlanning;
using AlbOperator.Observability;

namespace AlbOperator.Webhook;

/// <summary>
/// Whether the leader's last webhook registration worked. A failure is a <see cref="Reasons.WebhookNotRegistered"/>
/// problem that every Alb's status carries (Degraded) until a registration works; it never stops reconciling.
/// </summary>
internal sealed class WebhookState(ClusterView cluster, OperatorMetrics metrics)
{
    private volatile ReconcileProblem? _problem;

    public ReconcileProblem? Problem => _problem;

    public void Registered() => Set(null);

    public void Failed(string message) => Set(new ReconcileProblem(Reasons.WebhookNotRegistered, $"the admission webhook is not registered: {message}"));

    private void Set(ReconcileProblem? problem)
    {
        metrics.WebhookRegistered.Set(problem is null ? 1 : 0);
        var before = _problem;
        _problem = problem;
        if (before != problem)
        {
            cluster.AlbChanges.Signal(); // every Alb's status says it
        }
    }
}
