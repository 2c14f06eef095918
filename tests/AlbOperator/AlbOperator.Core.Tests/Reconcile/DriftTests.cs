using System.Text.Json.Nodes;
using AlbOperator.Core.Reconcile;
using k8s;
using k8s.Models;

namespace AlbOperator.Core.Tests.Reconcile;

public class DriftTests
{
    private static JsonNode Json(object value) => JsonNode.Parse(KubernetesJson.Serialize(value))!;

    private static JsonNode Deployment() => Json(Assert.IsType<V1Deployment>(TestAlbs.Desired().Find("Deployment")!.Object));

    [Fact]
    public void Server_additions_are_not_drift()
    {
        var desired = Deployment();
        var stored = desired.DeepClone();
        stored["metadata"]!["resourceVersion"] = "42";
        stored["metadata"]!["labels"]!["added-by"] = "someone";
        stored["spec"]!["progressDeadlineSeconds"] = 600;
        stored["spec"]!["template"]!["spec"]!["containers"]![0]!["terminationMessagePath"] = "/dev/termination-log";
        stored["status"] = new JsonObject { ["replicas"] = 3 };

        Assert.True(Drift.Matches(desired, stored));
    }

    [Fact]
    public void Changed_values_and_removed_members_are_drift_with_their_paths()
    {
        var desired = Deployment();
        var stored = desired.DeepClone();
        stored["spec"]!["replicas"] = 7;
        stored["metadata"]!["annotations"]!.AsObject().Remove("edge.io/desired-hash");
        stored["spec"]!["template"]!["spec"]!["containers"]![0]!.AsObject().Remove("args");

        Assert.Equal(
            ["metadata.annotations.edge.io/desired-hash", "spec.replicas", "spec.template.spec.containers[0].args"],
            Drift.Differences(desired, stored).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Lists_match_item_by_item_and_by_length()
    {
        var desired = JsonNode.Parse("""{"spec":{"ports":[{"port":80},{"port":443}]}}""")!;

        Assert.True(Drift.Matches(desired, JsonNode.Parse("""{"spec":{"ports":[{"port":80,"protocol":"TCP"},{"port":443,"nodePort":30443}]}}""")!));
        Assert.Equal(["spec.ports"], Drift.Differences(desired, JsonNode.Parse("""{"spec":{"ports":[{"port":80}]}}""")!));
        Assert.Equal(["spec.ports[1].port"], Drift.Differences(desired, JsonNode.Parse("""{"spec":{"ports":[{"port":80},{"port":8443}]}}""")!));
    }

    [Fact]
    public void Empty_desired_members_match_absent_ones_and_numbers_compare_by_value()
    {
        var desired = JsonNode.Parse("""{"spec":{"volumes":[{"name":"tmp","emptyDir":{}}],"args":[],"weight":1.0}}""")!;

        Assert.True(Drift.Matches(desired, JsonNode.Parse("""{"spec":{"volumes":[{"name":"tmp","emptyDir":{}}],"weight":1}}""")!));
        Assert.Equal(["spec.weight"], Drift.Differences(desired, JsonNode.Parse("""{"spec":{"volumes":[{"name":"tmp","emptyDir":{}}],"weight":"1"}}""")!));
    }

    [Fact]
    public void Owner_references_are_a_set_keyed_by_uid()
    {
        var desired = JsonNode.Parse("""{"metadata":{"name":"x","ownerReferences":[{"uid":"a","kind":"Alb","controller":true}]}}""")!;

        Assert.True(Drift.Matches(desired, JsonNode.Parse("""{"metadata":{"name":"x","ownerReferences":[{"uid":"b","kind":"Other"},{"uid":"a","kind":"Alb","controller":true}]}}""")!));
        Assert.Equal(["metadata.ownerReferences[uid=a]"], Drift.Differences(desired, JsonNode.Parse("""{"metadata":{"name":"x"}}""")!));
        Assert.Equal(["metadata.ownerReferences[uid=a].controller"],
            Drift.Differences(desired, JsonNode.Parse("""{"metadata":{"ownerReferences":[{"uid":"a","kind":"Alb","controller":false}]}}""")!));
    }

    [Fact]
    public void Every_desired_object_matches_itself()
    {
        foreach (var o in TestAlbs.Desired(TestAlbs.HostNetworkVip).Objects)
        {
            Assert.True(Drift.Matches(Json(o.Object), Json(o.Object)), o.ToString());
        }
    }
}
