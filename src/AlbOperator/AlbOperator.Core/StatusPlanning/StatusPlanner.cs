using System.Globalization;
using AlbOperator.Core.Model;
using AlbOperator.Core.Validation;

namespace AlbOperator.Core.StatusPlanning;

/// <summary>
/// Computes <c>Alb.status</c> from what was observed: <c>readyReplicas</c>, <c>observedGeneration</c> and the
/// three conditions, always all three, in the order Available, Progressing, Degraded. A condition keeps its
/// <c>lastTransitionTime</c> while its status stays the same (reason and message may change). The result says
/// whether it differs from the stored status, so the host writes only changes.
/// </summary>
public static class StatusPlanner
{
    private const int MaxMessage = 4096;

    public static StatusPlan Plan(StatusInput input, DateTimeOffset now)
    {
        var alb = input.Alb;
        var spec = Defaults.Apply(alb.Spec, alb.Metadata.Name ?? "");
        var wanted = spec.Replicas ?? Defaults.Replicas;
        var errors = input.SpecErrors ?? AlbValidation.Validate(alb);
        var generation = alb.Metadata.Generation;
        var albPods = input.Deployment is { } deployment ? WorkloadFacts.Of(deployment, wanted) : null;
        var vipd = spec.Vip is null ? null : input.VipdDaemonSet is { } daemonSet ? WorkloadFacts.Of(daemonSet) : null;
        var vipWanted = spec.Vip is not null;

        var available = Available(albPods, vipWanted, vipd, wanted);
        var progressing = Progressing(errors, albPods, vipd);
        var degraded = Degraded(errors, input.Problems, albPods, vipWanted, vipd);

        var last = alb.Status;
        var status = new AlbStatus
        {
            ObservedGeneration = generation,
            ReadyReplicas = albPods?.Ready ?? 0,
            Conditions =
            [
                Condition(ConditionTypes.Available, available, last, generation, now),
                Condition(ConditionTypes.Progressing, progressing, last, generation, now),
                Condition(ConditionTypes.Degraded, degraded, last, generation, now),
            ],
        };
        return new StatusPlan(status, !status.Equals(last));
    }

    private static (bool Status, string Reason, string Message) Available(WorkloadFacts? albPods, bool vipWanted, WorkloadFacts? vipd, int wanted)
    {
        if (albPods is null)
        {
            return (false, Reasons.DeploymentNotFound, "the alb Deployment does not exist yet");
        }

        if (albPods.Ready < wanted)
        {
            return (false, Reasons.ReplicasNotReady, $"{Count(albPods.Ready)}/{Count(wanted)} alb replicas ready");
        }

        if (vipWanted && vipd is null)
        {
            return (false, Reasons.VipdNotFound, "the vipd DaemonSet does not exist yet");
        }

        if (vipd is { AllReady: false })
        {
            return (false, Reasons.VipdNotReady, $"{Count(vipd.Ready)}/{Count(vipd.Wanted)} vipd pods ready");
        }

        return (true, Reasons.AllReplicasReady, $"{Count(albPods.Ready)}/{Count(wanted)} alb replicas ready");
    }

    private static (bool Status, string Reason, string Message) Progressing(IReadOnlyList<FieldError> errors, WorkloadFacts? albPods, WorkloadFacts? vipd)
    {
        if (errors.Count > 0)
        {
            return (false, Reasons.InvalidSpec, "the spec is invalid; nothing is rolled out until it is fixed");
        }

        if (albPods is null)
        {
            return (true, Reasons.Creating, "creating the alb Deployment");
        }

        if (albPods.Stuck)
        {
            return (false, Reasons.ProgressDeadlineExceeded, "the alb Deployment exceeded its progress deadline");
        }

        if (albPods.RollingOut)
        {
            return (true, Reasons.RollingOut, $"{Count(albPods.Updated)}/{Count(albPods.Wanted)} alb replicas updated");
        }

        if (vipd is { RollingOut: true })
        {
            return (true, Reasons.RollingOut, $"{Count(vipd.Updated)}/{Count(vipd.Wanted)} vipd pods updated");
        }

        return (false, Reasons.RolloutComplete, "every replica runs the current spec");
    }

    private static (bool Status, string Reason, string Message) Degraded(IReadOnlyList<FieldError> errors, IReadOnlyList<ReconcileProblem> problems,
        WorkloadFacts? albPods, bool vipWanted, WorkloadFacts? vipd)
    {
        if (errors.Count > 0)
        {
            return (true, Reasons.InvalidSpec, string.Join("; ", errors));
        }

        if (problems.Count > 0)
        {
            return (true, problems[0].Reason, string.Join("; ", problems.Select(p => p.Message)));
        }

        if (albPods is { Stuck: true })
        {
            return (true, Reasons.ProgressDeadlineExceeded, "the alb Deployment exceeded its progress deadline");
        }

        if (albPods is { Failure: { } failure })
        {
            return (true, Reasons.ReplicaFailure, failure);
        }

        if (vipWanted && vipd is { Wanted: 0, RollingOut: false })
        {
            return (true, Reasons.NoVipdNodes, "no node matches the Alb's nodeSelector and tolerations, so nothing holds the VIP");
        }

        if (albPods is { RollingOut: false } && albPods.Ready < albPods.Wanted)
        {
            return (true, Reasons.ReplicasUnavailable, $"{Count(albPods.Ready)}/{Count(albPods.Wanted)} alb replicas ready outside a rollout");
        }

        if (vipd is { RollingOut: false, AllReady: false, Wanted: > 0 })
        {
            return (true, Reasons.VipdUnavailable, $"{Count(vipd.Ready)}/{Count(vipd.Wanted)} vipd pods ready outside a rollout");
        }

        return (false, Reasons.AsExpected, "");
    }

    private static AlbCondition Condition(string type, (bool Status, string Reason, string Message) value, AlbStatus? last, long? generation, DateTimeOffset now)
    {
        var status = value.Status ? AlbCondition.True : AlbCondition.False;
        var previous = last?.Condition(type);
        return new AlbCondition
        {
            Type = type,
            Status = status,
            Reason = value.Reason,
            Message = value.Message.Length > MaxMessage ? value.Message[..MaxMessage] : value.Message,
            LastTransitionTime = previous is not null && previous.Status == status
                ? previous.LastTransitionTime
                : KubernetesTimeConverter.Truncate(now),
            ObservedGeneration = generation,
        };
    }

    private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);
}
