using AlbOperator.Core.Model;

namespace AlbOperator.Core.Tests.Model;

public class AlbJsonTests
{
    private const string Json = """
        {
          "apiVersion": "edge.io/v1alpha1",
          "kind": "Alb",
          "metadata": {"name": "web", "namespace": "edge", "uid": "u1", "generation": 4},
          "spec": {
            "replicas": 2,
            "image": "reg/alb:2",
            "ingressClass": {"name": "public", "default": true},
            "hostNetwork": true,
            "nodeSelector": {"node-role.kubernetes.io/ingress": ""},
            "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "ingress", "effect": "NoSchedule"}],
            "resources": {"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"memory": "1Gi"}},
            "config": {"proxy-body-size": "8m"},
            "service": {"type": "ClusterIP", "annotations": {"a.example.com/x": "y"}},
            "vip": {"address": "192.0.2.10/32", "interface": "eth1", "vrid": 7, "advertInterval": "200ms"}
          },
          "status": {
            "observedGeneration": 3,
            "readyReplicas": 2,
            "conditions": [{"type": "Available", "status": "True", "reason": "AllReplicasReady", "message": "2/2", "lastTransitionTime": "2026-01-02T03:04:05Z", "observedGeneration": 3}]
          }
        }
        """;

    [Fact]
    public void Reads_every_field_of_the_spec_and_status()
    {
        Assert.True(AlbJson.TryDeserialize(Json, out var alb, out var error), error);
        var spec = alb!.Spec!;
        Assert.Equal("edge/web", alb.ToString());
        Assert.Equal(4, alb.Metadata.Generation);
        Assert.Equal(2, spec.Replicas);
        Assert.Equal("reg/alb:2", spec.Image);
        Assert.Equal(new AlbIngressClassSpec { Name = "public", Default = true }, spec.IngressClass);
        Assert.True(spec.HostNetwork);
        Assert.Equal("", spec.NodeSelector!["node-role.kubernetes.io/ingress"]);
        Assert.Equal("ingress", spec.Tolerations![0].Value);
        Assert.Equal("250m", spec.Resources!.Requests["cpu"].ToString());
        Assert.Equal("8m", spec.Config!["proxy-body-size"]);
        Assert.Equal("ClusterIP", spec.Service!.Type);
        Assert.Equal("y", spec.Service.Annotations!["a.example.com/x"]);
        Assert.Equal(new AlbVipSpec { Address = "192.0.2.10/32", Interface = "eth1", Vrid = 7, AdvertInterval = "200ms" }, spec.Vip);
        Assert.Equal(3, alb.Status!.ObservedGeneration);
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), alb.Status.Conditions[0].LastTransitionTime);
    }

    [Fact]
    public void Writes_camel_case_without_absent_members_and_times_in_whole_utc_seconds()
    {
        var alb = TestAlbs.Alb(new AlbSpec { Replicas = 2 });
        alb.Status = new AlbStatus
        {
            ReadyReplicas = 1,
            Conditions = [new AlbCondition { Type = "Available", Status = "False", Reason = "ReplicasNotReady", LastTransitionTime = new DateTimeOffset(2026, 1, 2, 5, 4, 5, 678, TimeSpan.FromHours(2)) }],
        };

        var json = AlbJson.Serialize(alb);

        Assert.Contains("\"apiVersion\":\"edge.io/v1alpha1\",\"kind\":\"Alb\"", json, StringComparison.Ordinal);
        Assert.Contains("\"spec\":{\"replicas\":2}", json, StringComparison.Ordinal);
        Assert.Contains("\"lastTransitionTime\":\"2026-01-02T03:04:05Z\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("null", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Round_trips()
    {
        Assert.True(AlbJson.TryDeserialize(Json, out var alb, out _));
        Assert.True(AlbJson.TryDeserialize(AlbJson.Serialize(alb), out var again, out _));

        Assert.Equal(AlbJson.Serialize(alb), AlbJson.Serialize(again));
        Assert.Equal(alb!.Status, again!.Status);
    }

    [Fact]
    public void Reads_with_the_kubernetes_client_serializer_too()
    {
        var alb = k8s.KubernetesJson.Deserialize<AlbResource>(Json);

        Assert.Equal(2, alb.Spec!.Replicas);
        Assert.Equal(7, alb.Spec.Vip!.Vrid);
        Assert.Equal("AllReplicasReady", alb.Status!.Conditions[0].Reason);
    }

    [Theory]
    [InlineData("""{"spec": {"replicas": "three"}}""", "spec.replicas")]
    [InlineData("""{"spec": {"vip": {"vrid": true}}}""", "spec.vip.vrid")]
    [InlineData("not json", "")]
    public void Rejects_documents_of_the_wrong_shape_with_the_path(string json, string path)
    {
        Assert.False(AlbJson.TryDeserialize(json, out _, out var error));
        Assert.StartsWith(path, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Statuses_compare_by_value()
    {
        var time = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        AlbStatus Make(string reason) => new()
        {
            ObservedGeneration = 2,
            ReadyReplicas = 3,
            Conditions = [new AlbCondition { Type = "Available", Status = "True", Reason = reason, LastTransitionTime = time }],
        };

        Assert.Equal(Make("A"), Make("A"));
        Assert.Equal(Make("A").GetHashCode(), Make("A").GetHashCode());
        Assert.NotEqual(Make("A"), Make("B"));
    }
}
