using AlbOperator.Core.Desired;
using AlbOperator.Core.Model;
using AlbOperator.Core.Reconcile;
using k8s.Models;

namespace AlbOperator.Core.Tests.Reconcile;

public class ReconcilePlannerTests
{
    private static ObservedObject Observe(DesiredObject o) => ObservedObject.From(o.ApiVersion, o.Kind, o.Object.Metadata);

    [Fact]
    public void Nothing_there_applies_everything_in_order()
    {
        var desired = TestAlbs.Desired();

        var plan = ReconcilePlanner.Plan(TestAlbs.Alb(), desired, []);

        Assert.Equal(desired.Objects, plan.Apply);
        Assert.Empty(plan.Delete);
        Assert.Empty(plan.Problems);
    }

    [Fact]
    public void Everything_there_with_its_hash_is_skipped()
    {
        var desired = TestAlbs.Desired();

        var plan = ReconcilePlanner.Plan(TestAlbs.Alb(), desired, [.. desired.Objects.Select(Observe)]);

        Assert.True(plan.UpToDate);
    }

    [Fact]
    public void Only_changed_objects_are_applied()
    {
        var before = TestAlbs.Desired();
        var after = TestAlbs.Desired(new AlbSpec { Replicas = 5 });

        var plan = ReconcilePlanner.Plan(TestAlbs.Alb(), after, [.. before.Objects.Select(Observe)]);

        Assert.Equal("Deployment", Assert.Single(plan.Apply).Kind);
    }

    [Fact]
    public void Objects_no_longer_wanted_are_deleted_workloads_first()
    {
        var before = TestAlbs.Desired(TestAlbs.HostNetworkVip with { IngressClass = new AlbIngressClassSpec { Name = "old" } });
        var after = TestAlbs.Desired(TestAlbs.HostNetworkVip with { Vip = null });

        var plan = ReconcilePlanner.Plan(TestAlbs.Alb(), after, [.. before.Objects.Select(Observe)]);

        Assert.Equal(["DaemonSet edge/web-vipd", "IngressClass old", "ConfigMap edge/web-vipd"], plan.Delete.Select(k => k.ToString()));
        Assert.Contains(plan.Apply, o => o.Kind == "IngressClass" && o.Name == "web");
    }

    [Fact]
    public void An_object_of_another_alb_is_left_alone_and_reported()
    {
        // Albs edge/web and other/web both want the IngressClass "web"; other/web got it first.
        var theirs = TestAlbs.Desired(ns: "other").Objects.Single(o => o.Kind == "IngressClass");
        var desired = TestAlbs.Desired();

        var plan = ReconcilePlanner.Plan(TestAlbs.Alb(), desired, [Observe(theirs)]);

        Assert.DoesNotContain(plan.Apply, o => o.Kind == "IngressClass");
        Assert.Empty(plan.Delete);
        var problem = Assert.Single(plan.Problems);
        Assert.Equal("OwnershipConflict", problem.Reason);
        Assert.Equal("IngressClass web exists and belongs to Alb other/web; it is left alone", problem.Message);
    }

    [Fact]
    public void An_object_nobody_labelled_is_not_taken_over()
    {
        var foreign = ObservedObject.From("networking.k8s.io/v1", "IngressClass", new V1ObjectMeta { Name = "web" });

        var plan = ReconcilePlanner.Plan(TestAlbs.Alb(), TestAlbs.Desired(), [foreign]);

        Assert.Contains("belongs to something other than alb-operator", Assert.Single(plan.Problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_ignore_the_api_version()
    {
        var desired = TestAlbs.Desired();
        var pdb = desired.Objects.Single(o => o.Kind == "PodDisruptionBudget");
        var observed = desired.Objects.Select(Observe).Where(o => o.Key.Kind != "PodDisruptionBudget")
            .Append(ObservedObject.From("policy/v1beta1", "PodDisruptionBudget", pdb.Object.Metadata));

        Assert.True(ReconcilePlanner.Plan(TestAlbs.Alb(), desired, [.. observed]).UpToDate);
    }

    [Fact]
    public void An_invalid_alb_keeps_what_runs()
    {
        var running = TestAlbs.Desired();

        var plan = ReconcilePlanner.Plan(TestAlbs.Alb(), TestAlbs.Desired(new AlbSpec { Replicas = 0 }), [.. running.Objects.Select(Observe)]);

        Assert.True(plan.UpToDate);
        Assert.Empty(plan.Problems);
    }

    [Fact]
    public void Cleanup_deletes_only_this_albs_cluster_scoped_objects()
    {
        var mine = TestAlbs.Desired().Objects.Select(Observe);
        var theirs = TestAlbs.Desired(ns: "other").Objects.Select(Observe);

        var plan = ReconcilePlanner.Cleanup(TestAlbs.Alb(), [.. mine, .. theirs]);

        Assert.Equal(["IngressClass web", "ClusterRoleBinding edge.io:alb:edge:web", "ClusterRole edge.io:alb:edge:web"], plan.Delete.Select(k => k.ToString()));
    }

    [Fact]
    public void The_finalizer_is_added_once_and_never_while_deleting()
    {
        var alb = TestAlbs.Alb();
        Assert.True(ReconcilePlanner.NeedsFinalizer(alb));

        alb.Metadata.Finalizers = [AlbApi.Finalizer];
        Assert.False(ReconcilePlanner.NeedsFinalizer(alb));

        var deleting = TestAlbs.Alb();
        deleting.Metadata.DeletionTimestamp = DateTime.UnixEpoch;
        Assert.False(ReconcilePlanner.NeedsFinalizer(deleting));
        Assert.True(ReconcilePlanner.IsDeleting(deleting));
    }
}
