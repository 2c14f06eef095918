using System.Text.Json.Nodes;
using AlbOperator.Core.Desired;
using AlbOperator.Core.Model;
using AlbOperator.Core.StatusPlanning;
using AlbOperator.Tests.Fixtures;
using k8s.Models;
using static AlbOperator.Tests.Fixtures.TestCluster;

namespace AlbOperator.Tests.Reconciling;

/// <summary>
/// One operator process against the test API server: an Alb becomes every object <see cref="DesiredState"/> lists,
/// with owner references and labels; its status follows the Deployment; hand edits are undone; nothing is written
/// when nothing changed; a spec change applies only what changed; deletion waits for the cluster-scoped objects; after an
/// API server restart the operator watches again and repairs.
/// </summary>
public sealed class ReconcileTests(OneOperator fixture) : IClassFixture<OneOperator>
{
    private const string Ns = "edge-system";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private TestCluster Cluster => fixture.Cluster;

    private string Operator => fixture.Operator.UserAgent;

    private string Output() => fixture.Operator.Process.Output();

    [Fact]
    public async Task An_alb_becomes_every_desired_object_with_owner_references_labels_and_status()
    {
        var alb = await Cluster.CreateAlbAsync(Ns, "made", """{"replicas":3}""");
        await ReconciledAsync("made");

        var desired = Cluster.Desired(Ns, "made");
        var names = AlbNames.Of(alb);
        Assert.Equal(
            ["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "ConfigMap", "Service", "Deployment", "PodDisruptionBudget", "IngressClass"],
            desired.Objects.Select(o => o.Kind));
        foreach (var o in desired.Objects)
        {
            var stored = Cluster.Stored(o)!;
            var labels = stored["metadata"]!["labels"]!.AsObject();
            foreach (var (key, value) in AlbLabels.For(names))
            {
                Assert.Equal(value, (string?)labels[key]);
            }

            var owners = stored["metadata"]!["ownerReferences"] as JsonArray;
            if (o.ClusterScoped)
            {
                Assert.Null(owners);
            }
            else
            {
                var owner = Assert.Single(owners!)!;
                Assert.Equal((alb.Metadata.Uid, "Alb", true), ((string?)owner["uid"], (string?)owner["kind"], (bool?)owner["controller"]));
            }

            var managers = stored["metadata"]!["managedFields"]!.AsArray().Select(m => ((string?)m!["manager"], (string?)m["operation"]));
            Assert.Contains((AlbApi.FieldManager, "Apply"), managers);
        }

        Assert.Contains(AlbApi.Finalizer, Cluster.Alb(Ns, "made")!.Metadata.Finalizers ?? []);
        Assert.Equal(3, Cluster.Api.Objects.Get<V1Deployment>(Ns, "made")!.Spec.Replicas);
        Assert.All(Cluster.Writes().Where(w => w.Namespace == Ns || w.Namespace is null), w => Assert.Contains(w.UserAgent, new[] { Operator, UserAgent }));

        // Created, not ready yet.
        await StatusAsync("made", s => s.ObservedGeneration == 1
            && Is(s, ConditionTypes.Available, false, Reasons.ReplicasNotReady) && Is(s, ConditionTypes.Progressing, true, Reasons.RollingOut)
            && Is(s, ConditionTypes.Degraded, false, Reasons.AsExpected));

        // The Deployment controller reports every replica ready: Available, rollout complete.
        await Cluster.MakeDeploymentReadyAsync(Ns, "made");
        var status = await StatusAsync("made", s => Is(s, ConditionTypes.Available, true, Reasons.AllReplicasReady));
        Assert.Equal(3, status.ReadyReplicas);
        Assert.True(Is(status, ConditionTypes.Progressing, false, Reasons.RolloutComplete));
        Assert.True(Is(status, ConditionTypes.Degraded, false, Reasons.AsExpected));
        Assert.All(status.Conditions, c => Assert.Equal(1, c.ObservedGeneration));
    }

    [Fact]
    public async Task Hand_edits_and_deletions_are_undone_and_nothing_is_written_when_nothing_changed()
    {
        await Cluster.CreateAlbAsync(Ns, "kept");
        await ReconciledAsync("kept");
        await Cluster.MakeDeploymentReadyAsync(Ns, "kept");
        await StatusAsync("kept", s => Is(s, ConditionTypes.Available, true, Reasons.AllReplicasReady));
        await QuietAsync();

        // Someone deletes the ConfigMap, scales the Deployment by hand and empties the ClusterRole's rules.
        var desired = Cluster.Desired(Ns, "kept");
        var before = Cluster.LastSequence;
        await Cluster.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{Ns}/configmaps/kept-config", null, "application/json");
        await Cluster.SendAsync(HttpMethod.Patch, $"/apis/apps/v1/namespaces/{Ns}/deployments/kept", """{"spec":{"replicas":7}}""", "application/merge-patch+json");
        await Cluster.SendAsync(HttpMethod.Patch, $"/apis/rbac.authorization.k8s.io/v1/clusterroles/edge.io:alb:{Ns}:kept", """{"rules":[]}""", "application/merge-patch+json");

        var wantedRules = Json(desired.Get<V1ClusterRole>()!.Rules);
        await EventuallyAsync(
            () => Cluster.Api.Objects.Get<V1ConfigMap>(Ns, "kept-config") is not null
                && Cluster.Api.Objects.Get<V1Deployment>(Ns, "kept")?.Spec.Replicas == 3
                && Json(Cluster.Api.Objects.Get<V1ClusterRole>(null, $"edge.io:alb:{Ns}:kept")?.Rules ?? []) == wantedRules,
            Wait, () => "the ConfigMap, the Deployment's replicas and the ClusterRole's rules restored\n" + Output());
        var repairs = Cluster.Writes(before).Where(w => w.UserAgent == Operator && w.Resource != "albs").Select(w => w.Resource).Order().ToList();
        Assert.Equal(["clusterroles", "configmaps", "deployments"], repairs);

        // Steady again: nothing is written, however long.
        await Cluster.MakeDeploymentReadyAsync(Ns, "kept");
        await StatusAsync("kept", s => Is(s, ConditionTypes.Available, true, Reasons.AllReplicasReady) && Is(s, ConditionTypes.Progressing, false, Reasons.RolloutComplete));
        await QuietAsync();
    }

    [Fact]
    public async Task A_spec_change_applies_only_what_changed_and_the_status_follows_the_generation()
    {
        await Cluster.CreateAlbAsync(Ns, "scaled", """{"replicas":3}""");
        await ReconciledAsync("scaled");
        await Cluster.MakeDeploymentReadyAsync(Ns, "scaled");
        await StatusAsync("scaled", s => Is(s, ConditionTypes.Available, true, Reasons.AllReplicasReady));
        await QuietAsync();

        var before = Cluster.LastSequence;
        await Cluster.PatchAlbAsync(Ns, "scaled", """{"spec":{"replicas":5}}""");
        await EventuallyAsync(() => Cluster.Api.Objects.Get<V1Deployment>(Ns, "scaled")?.Spec.Replicas == 5, Wait, () => "replicas 5 applied\n" + Output());
        var rolling = await StatusAsync("scaled", s => s.ObservedGeneration == 2 && Is(s, ConditionTypes.Progressing, true, Reasons.RollingOut));
        Assert.True(Is(rolling, ConditionTypes.Available, false, Reasons.ReplicasNotReady));

        var writes = Cluster.Writes(before).Where(w => w.UserAgent == Operator).Select(w => $"{w.Method} {w.Resource}{(w.Subresource is null ? "" : "/" + w.Subresource)} {w.Name}").Distinct().Order().ToList();
        Assert.Equal(["PATCH albs/status scaled", "PATCH deployments scaled"], writes);

        await Cluster.MakeDeploymentReadyAsync(Ns, "scaled");
        var done = await StatusAsync("scaled", s => Is(s, ConditionTypes.Available, true, Reasons.AllReplicasReady));
        Assert.Equal(5, done.ReadyReplicas);
    }

    [Fact]
    public async Task Deleting_an_alb_deletes_its_cluster_scoped_objects_before_the_finalizer_lets_it_go()
    {
        await Cluster.CreateAlbAsync(Ns, "gone", """{"ingressClass":{"name":"gone-class"}}""");
        await ReconciledAsync("gone");
        var desired = Cluster.Desired(Ns, "gone");

        await Cluster.DeleteAlbAsync(Ns, "gone");
        await EventuallyAsync(() => Cluster.Alb(Ns, "gone") is null, Wait, () => "the Alb gone\n" + Output());

        Assert.All(desired.Objects, o => Assert.Null(Cluster.Stored(o))); // cluster-scoped: the operator; namespaced: collection
        var writes = Cluster.Writes().Where(w => w.UserAgent == Operator).ToList();
        var lastDelete = writes.Where(w => w.Method == "DELETE" && w.Resource is "clusterroles" or "clusterrolebindings" or "ingressclasses" && w.Name!.Contains("gone", StringComparison.Ordinal)).ToList();
        Assert.Equal(["clusterrolebindings", "clusterroles", "ingressclasses"], lastDelete.Select(w => w.Resource).Order());
        var release = writes.Last(w => w.Resource == "albs" && w.Name == "gone" && w.Subresource is null);
        Assert.True(lastDelete.Max(w => w.Sequence) < release.Sequence, "the finalizer was removed before the cluster-scoped objects were deleted");
    }

    [Fact]
    public async Task An_invalid_alb_gets_nothing_and_says_why()
    {
        await Cluster.CreateAlbAsync(Ns, "broken", """{"replicas":0,"vip":{"address":"192.0.2.1","interface":"eth0","vrid":300}}""");

        var status = await StatusAsync("broken", s => Is(s, ConditionTypes.Degraded, true, Reasons.InvalidSpec));
        Assert.Contains("spec.replicas", status.Condition(ConditionTypes.Degraded)!.Message, StringComparison.Ordinal);
        Assert.Contains("spec.vip.vrid", status.Condition(ConditionTypes.Degraded)!.Message, StringComparison.Ordinal);
        Assert.True(Is(status, ConditionTypes.Progressing, false, Reasons.InvalidSpec));
        Assert.Null(Cluster.Api.Objects.Get<V1ServiceAccount>(Ns, "broken"));
        Assert.Null(Cluster.Api.Objects.Get<V1Deployment>(Ns, "broken"));
    }

    [Fact]
    public async Task An_ingress_class_someone_else_holds_is_left_alone_and_reported()
    {
        Cluster.Api.Objects.Create(JsonNode.Parse("""
            {"apiVersion":"networking.k8s.io/v1","kind":"IngressClass","metadata":{"name":"taken"},"spec":{"controller":"example.com/other"}}
            """)!.AsObject());
        await Cluster.CreateAlbAsync(Ns, "second", """{"ingressClass":{"name":"taken"}}""");

        var status = await StatusAsync("second", s => Is(s, ConditionTypes.Degraded, true, Reasons.OwnershipConflict));
        Assert.Contains("IngressClass taken", status.Condition(ConditionTypes.Degraded)!.Message, StringComparison.Ordinal);
        Assert.Equal("example.com/other", Cluster.Api.Objects.Get<V1IngressClass>(null, "taken")!.Spec.Controller);
        Assert.NotNull(Cluster.Api.Objects.Get<V1Deployment>(Ns, "second")); // the rest is made all the same
    }

    /// <summary>Every desired object is stored with its desired hash.</summary>
    [Fact]
    public async Task After_an_api_server_restart_the_operator_watches_again_and_repairs_drift()
    {
        await Cluster.CreateAlbAsync(Ns, "restarted");
        await ReconciledAsync("restarted");

        // Connections refused for 3 s, every watch dropped, then the same port and objects.
        await Cluster.Api.RestartAsync(TimeSpan.FromSeconds(3));
        var before = Cluster.LastSequence;
        await Cluster.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{Ns}/configmaps/restarted-config", null, "application/json");

        await EventuallyAsync(() => Cluster.Api.Objects.Get<V1ConfigMap>(Ns, "restarted-config") is not null, Wait,
            () => "the ConfigMap deleted after the restart restored\n" + Output());
        Assert.Contains(Cluster.Writes(before), w => w.UserAgent == Operator && w.Resource == "configmaps");
        Assert.False(fixture.Operator.Process.HasExited);
    }

    private Task ReconciledAsync(string name) =>
        EventuallyAsync(
            () => Cluster.Desired(Ns, name).Objects.All(o => (string?)Cluster.Stored(o)?["metadata"]?["annotations"]?[AlbApi.DesiredHashAnnotation] == o.Hash),
            Wait, () => $"every object of Alb {Ns}/{name} applied\n{Output()}");

    private async Task<AlbStatus> StatusAsync(string name, Func<AlbStatus, bool> condition)
    {
        AlbStatus? last = null;
        await EventuallyAsync(() => (last = Cluster.Alb(Ns, name)?.Status) is { } s && condition(s), Wait,
            () => $"status of {Ns}/{name}: {(last is null ? "none" : AlbJson.Serialize(last))}\n{Output()}");
        return last!;
    }

    /// <summary>After at most 10 s for the last change to settle, 3 s without any write but the Lease's.</summary>
    private async Task QuietAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var mark = Cluster.LastSequence;
            await Task.Delay(TimeSpan.FromSeconds(3));
            var writes = Cluster.Writes(mark).Where(w => w.UserAgent == Operator).ToList();
            if (writes.Count == 0)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "still writing in a steady state: " + string.Join(", ", writes.Select(w => w.ToString())));
        }
    }

    private static bool Is(AlbStatus status, string type, bool value, string reason) =>
        status.Condition(type) is { } c && c.Status == (value ? AlbCondition.True : AlbCondition.False) && c.Reason == reason;
}
