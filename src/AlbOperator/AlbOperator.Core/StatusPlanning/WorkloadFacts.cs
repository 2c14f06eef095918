using k8s.Models;

namespace AlbOperator.Core.StatusPlanning;

/// <summary>What a Deployment's or DaemonSet's status says, reduced to what the Alb's conditions need.</summary>
internal sealed record WorkloadFacts(int Wanted, int Ready, int Updated, bool RollingOut, bool Stuck, string? Failure)
{
    public static WorkloadFacts Of(V1Deployment deployment, int wanted)
    {
        var status = deployment.Status;
        var ready = status?.ReadyReplicas ?? 0;
        var updated = status?.UpdatedReplicas ?? 0;
        var total = status?.Replicas ?? 0;
        var conditions = status?.Conditions ?? [];
        var stuck = conditions.Any(c => c.Type == "Progressing" && c.Status == "False" && c.Reason == "ProgressDeadlineExceeded");
        var failure = conditions.FirstOrDefault(c => c.Type == "ReplicaFailure" && c.Status == "True");
        var rolling = !Observed(deployment.Metadata?.Generation, status?.ObservedGeneration)
            || updated < wanted || total > updated || total > wanted;
        return new WorkloadFacts(wanted, ready, updated, rolling && !stuck, stuck,
            failure is null ? null : $"{failure.Reason}: {failure.Message}".Trim(' ', ':'));
    }

    public static WorkloadFacts Of(V1DaemonSet daemonSet)
    {
        var status = daemonSet.Status;
        var wanted = status?.DesiredNumberScheduled ?? 0;
        var updated = status?.UpdatedNumberScheduled ?? 0;
        var rolling = !Observed(daemonSet.Metadata?.Generation, status?.ObservedGeneration) || updated < wanted;
        return new WorkloadFacts(wanted, status?.NumberReady ?? 0, updated, rolling, Stuck: false, Failure: null);
    }

    public bool AllReady => Wanted > 0 && Ready >= Wanted;

    /// <summary>The controller has seen the latest spec (a status without a generation is taken as current).</summary>
    private static bool Observed(long? generation, long? observed) => generation is null || (observed ?? 0) >= generation;
}
