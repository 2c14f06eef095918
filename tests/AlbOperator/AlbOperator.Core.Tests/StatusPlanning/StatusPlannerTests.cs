using AlbOperator.Core.Model;
using AlbOperator.Core.StatusPlanning;
using k8s.Models;

namespace AlbOperator.Core.Tests.StatusPlanning;

public class StatusPlannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, 250, TimeSpan.Zero);

    private static V1Deployment Deployment(int ready, int updated = 3, int replicas = 3, long generation = 1, long observed = 1, params V1DeploymentCondition[] conditions) => new()
    {
        Metadata = new V1ObjectMeta { Generation = generation },
        Status = new V1DeploymentStatus
        {
            ObservedGeneration = observed,
            Replicas = replicas,
            UpdatedReplicas = updated,
            ReadyReplicas = ready,
            AvailableReplicas = ready,
            Conditions = conditions,
        },
    };

    private static V1DaemonSet DaemonSet(int wanted, int ready, int updated = -1) => new()
    {
        Metadata = new V1ObjectMeta { Generation = 1 },
        Status = new V1DaemonSetStatus { ObservedGeneration = 1, DesiredNumberScheduled = wanted, NumberReady = ready, UpdatedNumberScheduled = updated < 0 ? wanted : updated },
    };

    private static StatusPlan Plan(V1Deployment? deployment, AlbSpec? spec = null, AlbStatus? last = null, V1DaemonSet? daemonSet = null,
        IReadOnlyList<ReconcileProblem>? problems = null, long generation = 1, DateTimeOffset? now = null)
    {
        var alb = TestAlbs.Alb(spec, generation: generation);
        alb.Status = last;
        return StatusPlanner.Plan(new StatusInput { Alb = alb, Deployment = deployment, VipdDaemonSet = daemonSet, Problems = problems ?? [] }, now ?? Now);
    }

    private static (string Status, string Reason) Get(StatusPlan plan, string type)
    {
        var condition = plan.Status.Condition(type)!;
        return (condition.Status, condition.Reason);
    }

    [Fact]
    public void All_replicas_ready_is_available_complete_and_not_degraded()
    {
        var plan = Plan(Deployment(ready: 3), generation: 7);

        Assert.Equal(["Available", "Progressing", "Degraded"], plan.Status.Conditions.Select(c => c.Type));
        Assert.Equal(("True", "AllReplicasReady"), Get(plan, "Available"));
        Assert.Equal(("False", "RolloutComplete"), Get(plan, "Progressing"));
        Assert.Equal(("False", "AsExpected"), Get(plan, "Degraded"));
        Assert.Equal(7, plan.Status.ObservedGeneration);
        Assert.Equal(3, plan.Status.ReadyReplicas);
        Assert.All(plan.Status.Conditions, c => Assert.Equal(7, c.ObservedGeneration));
        Assert.All(plan.Status.Conditions, c => Assert.Equal(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero), c.LastTransitionTime));
        Assert.True(plan.Changed);
    }

    [Fact]
    public void No_deployment_yet_is_creating()
    {
        var plan = Plan(null);

        Assert.Equal(("False", "DeploymentNotFound"), Get(plan, "Available"));
        Assert.Equal(("True", "Creating"), Get(plan, "Progressing"));
        Assert.Equal(("False", "AsExpected"), Get(plan, "Degraded"));
        Assert.Equal(0, plan.Status.ReadyReplicas);
    }

    [Fact]
    public void A_rollout_is_progressing_and_not_available_until_every_replica_is_ready()
    {
        var plan = Plan(Deployment(ready: 2, updated: 1, generation: 2, observed: 2));

        Assert.Equal(("False", "ReplicasNotReady"), Get(plan, "Available"));
        Assert.Equal("2/3 alb replicas ready", plan.Status.Condition("Available")!.Message);
        Assert.Equal(("True", "RollingOut"), Get(plan, "Progressing"));
        Assert.Equal(("False", "AsExpected"), Get(plan, "Degraded"));
    }

    [Fact]
    public void A_spec_the_deployment_controller_has_not_seen_is_progressing() =>
        Assert.Equal(("True", "RollingOut"), Get(Plan(Deployment(ready: 3, generation: 3, observed: 2)), "Progressing"));

    [Fact]
    public void Scaling_down_is_progressing_until_the_extra_pods_are_gone() =>
        Assert.Equal(("True", "RollingOut"), Get(Plan(Deployment(ready: 3, updated: 3, replicas: 3), spec: new AlbSpec { Replicas = 2 }), "Progressing"));

    [Fact]
    public void Replicas_lost_outside_a_rollout_are_degraded()
    {
        var plan = Plan(Deployment(ready: 2));

        Assert.Equal(("False", "ReplicasNotReady"), Get(plan, "Available"));
        Assert.Equal(("False", "RolloutComplete"), Get(plan, "Progressing"));
        Assert.Equal(("True", "ReplicasUnavailable"), Get(plan, "Degraded"));
    }

    [Fact]
    public void A_stuck_rollout_is_degraded()
    {
        var stuck = new V1DeploymentCondition { Type = "Progressing", Status = "False", Reason = "ProgressDeadlineExceeded" };
        var plan = Plan(Deployment(ready: 2, updated: 1, conditions: stuck));

        Assert.Equal(("False", "ProgressDeadlineExceeded"), Get(plan, "Progressing"));
        Assert.Equal(("True", "ProgressDeadlineExceeded"), Get(plan, "Degraded"));
    }

    [Fact]
    public void A_replica_failure_is_degraded_with_its_message()
    {
        var quota = new V1DeploymentCondition { Type = "ReplicaFailure", Status = "True", Reason = "FailedCreate", Message = "exceeded quota" };
        var plan = Plan(Deployment(ready: 3, conditions: quota));

        Assert.Equal(("True", "ReplicaFailure"), Get(plan, "Degraded"));
        Assert.Equal("FailedCreate: exceeded quota", plan.Status.Condition("Degraded")!.Message);
    }

    [Fact]
    public void An_invalid_spec_is_degraded_with_every_error()
    {
        var plan = Plan(Deployment(ready: 3), spec: new AlbSpec { Replicas = 0, Service = new AlbServiceSpec { Type = "Magic" } });

        Assert.Equal(("True", "InvalidSpec"), Get(plan, "Degraded"));
        Assert.Equal(("False", "InvalidSpec"), Get(plan, "Progressing"));
        var message = plan.Status.Condition("Degraded")!.Message;
        Assert.Contains("spec.replicas: must be >= 1", message, StringComparison.Ordinal);
        Assert.Contains("spec.service.type: ", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reconcile_problems_are_degraded_with_the_first_reason()
    {
        var plan = Plan(Deployment(ready: 3), problems: [new("OwnershipConflict", "IngressClass web belongs to Alb other/web"), new("ApplyFailed", "Service edge/web: 422")]);

        Assert.Equal(("True", "OwnershipConflict"), Get(plan, "Degraded"));
        Assert.Equal("IngressClass web belongs to Alb other/web; Service edge/web: 422", plan.Status.Condition("Degraded")!.Message);
        Assert.Equal(("True", "AllReplicasReady"), Get(plan, "Available"));
    }

    [Fact]
    public void With_a_vip_vipd_must_be_ready_too()
    {
        var spec = TestAlbs.HostNetworkVip;

        Assert.Equal(("False", "VipdNotFound"), Get(Plan(Deployment(ready: 3), spec), "Available"));
        Assert.Equal(("False", "VipdNotReady"), Get(Plan(Deployment(ready: 3), spec, daemonSet: DaemonSet(wanted: 4, ready: 3)), "Available"));
        Assert.Equal(("True", "VipdUnavailable"), Get(Plan(Deployment(ready: 3), spec, daemonSet: DaemonSet(wanted: 4, ready: 3)), "Degraded"));
        Assert.Equal(("True", "RollingOut"), Get(Plan(Deployment(ready: 3), spec, daemonSet: DaemonSet(wanted: 4, ready: 3, updated: 2)), "Progressing"));
        Assert.Equal(("True", "NoVipdNodes"), Get(Plan(Deployment(ready: 3), spec, daemonSet: DaemonSet(wanted: 0, ready: 0)), "Degraded"));

        var ready = Plan(Deployment(ready: 3), spec, daemonSet: DaemonSet(wanted: 4, ready: 4));
        Assert.Equal(("True", "AllReplicasReady"), Get(ready, "Available"));
        Assert.Equal(("False", "AsExpected"), Get(ready, "Degraded"));
    }

    [Fact]
    public void Without_a_vip_the_daemon_set_is_ignored() =>
        Assert.Equal(("True", "AllReplicasReady"), Get(Plan(Deployment(ready: 3), daemonSet: DaemonSet(wanted: 3, ready: 0)), "Available"));

    [Fact]
    public void The_same_observation_again_changes_nothing()
    {
        var first = Plan(Deployment(ready: 3));
        var second = Plan(Deployment(ready: 3), last: first.Status, now: Now.AddMinutes(5));

        Assert.False(second.Changed);
        Assert.Equal(first.Status, second.Status);
    }

    [Fact]
    public void Transition_times_move_only_when_a_status_flips()
    {
        var first = Plan(Deployment(ready: 2, updated: 1));
        var later = Now.AddMinutes(1);

        // Still rolling (reason and message change, status does not), then done.
        var rolling = Plan(Deployment(ready: 2, updated: 2), last: first.Status, now: later);
        Assert.True(rolling.Changed);
        Assert.Equal(first.Status.Condition("Progressing")!.LastTransitionTime, rolling.Status.Condition("Progressing")!.LastTransitionTime);
        Assert.Equal("2/3 alb replicas updated", rolling.Status.Condition("Progressing")!.Message);

        var done = Plan(Deployment(ready: 3), last: rolling.Status, now: later.AddMinutes(1));
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 12, 2, 0, TimeSpan.Zero), done.Status.Condition("Progressing")!.LastTransitionTime);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 12, 2, 0, TimeSpan.Zero), done.Status.Condition("Available")!.LastTransitionTime);
        Assert.Equal(first.Status.Condition("Degraded")!.LastTransitionTime, done.Status.Condition("Degraded")!.LastTransitionTime);
    }

    [Fact]
    public void A_new_generation_alone_is_a_change()
    {
        var first = Plan(Deployment(ready: 3), generation: 1);

        Assert.True(Plan(Deployment(ready: 3), last: first.Status, generation: 2).Changed);
    }

    [Fact]
    public void A_status_read_back_from_json_compares_equal()
    {
        var plan = Plan(Deployment(ready: 3));
        var alb = TestAlbs.Alb();
        alb.Status = plan.Status;
        Assert.True(AlbJson.TryDeserialize(AlbJson.Serialize(alb), out var stored, out _));

        Assert.False(Plan(Deployment(ready: 3), last: stored!.Status, now: Now.AddSeconds(30)).Changed);
    }
}
