using Alb.Tests.Fixtures;
using Edge.Testing;
using Edge.Testing.KubeApi;
using k8s.Models;
using Xunit;
using static Alb.Tests.Cluster.ClusterObjects;

namespace Alb.Tests.Cluster;

/// <summary>
/// Two alb replicas on one cluster: only the Lease holder writes Ingress status (the node addresses of the ready alb
/// Pods here, ingress-nginx's last fallback) and Events; a stopped leader hands over at once; the last replica to stop
/// clears the status it wrote.
/// </summary>
public sealed class ClusterLeaderTests : IAsyncLifetime
{
    private ClusterLab _lab = null!;

    private TestApiServer Api => _lab.Api;

    private TestOrigin Web => _lab.Web;

    private string Kubeconfig => _lab.Kubeconfig;

    public async Task InitializeAsync()
    {
        _lab = await ClusterLab.StartAsync();
        Api.Objects.Create(Ingress("a", "a.example.com", "web"));
        Api.Objects.Create(Node("n1", ("InternalIP", "10.1.0.1")));
        Api.Objects.Create(Node("n2", ("InternalIP", "10.1.0.2"), ("ExternalIP", "203.0.113.2")));
        Api.Objects.Create(Pod("alb-0", "n1"));
        Api.Objects.Create(Pod("alb-1", "n2"));
        Api.Objects.Create(Pod("unrelated", "n1", app: "other"));
    }

    public async Task DisposeAsync() => await _lab.DisposeAsync();

    private static V1Node Node(string name, params (string Type, string Address)[] addresses) => new()
    {
        ApiVersion = "v1",
        Kind = "Node",
        Metadata = new V1ObjectMeta { Name = name },
        Status = new V1NodeStatus { Addresses = [.. addresses.Select(a => new V1NodeAddress { Type = a.Type, Address = a.Address })] },
    };

    private static V1Pod Pod(string name, string node, string app = "alb") => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Labels = new Dictionary<string, string> { ["app"] = app } },
        Spec = new V1PodSpec { NodeName = node, Containers = [new V1Container { Name = "alb", Image = "alb" }] },
        Status = new V1PodStatus { Phase = "Running", Conditions = [new V1PodCondition { Type = "Ready", Status = "True" }] },
    };

    private string Status(string name) =>
        string.Join(",", (Api.Objects.Get<V1Ingress>("default", name)?.Status?.LoadBalancer?.Ingress ?? []).Select(i => i.Ip ?? i.Hostname));

    private List<string> StatusWriters() =>
        [.. Api.Requests.Where(r => r.Resource == "ingresses" && r.Subresource == "status" && r.IsWrite).Select(r => r.UserAgent ?? "").Distinct()];

    [Fact]
    public async Task Only_the_leader_writes_status_and_events_and_a_stopped_leader_hands_over()
    {
        var other = Api.Objects.Create(Ingress("theirs", "t.example.com", "web", className: "nginx"));
        Api.Objects.Put(System.Text.Json.Nodes.JsonNode.Parse(k8s.KubernetesJson.Serialize(new V1Ingress
        {
            ApiVersion = "networking.k8s.io/v1",
            Kind = "Ingress",
            Metadata = new V1ObjectMeta { Name = "theirs", NamespaceProperty = "default" },
            Spec = other.Spec,
            Status = new V1IngressStatus { LoadBalancer = new V1IngressLoadBalancerStatus { Ingress = [new() { Ip = "10.1.0.1" }, new() { Ip = "192.0.2.9" }] } },
        }))!.AsObject());
        Api.Objects.Create(Ingress("digest", "d.example.com", "web", annotations: new() { ["nginx.ingress.kubernetes.io/auth-type"] = "digest" }));

        var first = await StartWithPodNamespaceAsync("alb-0");
        var second = await StartWithPodNamespaceAsync("alb-1");
        try
        {
            await first.WaitUntilAsync(() => Task.FromResult(Status("a") == "10.1.0.1,203.0.113.2"), TimeSpan.FromSeconds(20), "status from the nodes of the ready alb Pods");
            await first.WaitUntilAsync(() => Task.FromResult(Status("theirs") == "192.0.2.9"), TimeSpan.FromSeconds(10), "our address removed from another class's Ingress");
            var leader = Assert.Single(StatusWriters());
            await first.WaitUntilAsync(() => Task.FromResult(Events("digest").Count > 0), TimeSpan.FromSeconds(10), "an Event on the refused Ingress");
            var evt = Events("digest")[0];
            Assert.StartsWith("ALB", evt.Reason, StringComparison.Ordinal);
            Assert.Equal("Warning", evt.Type);
            Assert.Equal(leader, "alb/" + evt.ReportingInstance);
            Assert.Empty(Api.Requests.Where(r => r.Resource == "events" && r.IsWrite && r.UserAgent != leader));

            // The leader stops (SIGTERM): it releases the Lease; the other replica takes over and writes from then on.
            var (stopping, staying) = leader == "alb/alb-0" ? (first, second) : (second, first);
            stopping.Process.Signal(15);
            Assert.Equal(0, await stopping.Process.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            Assert.Equal("10.1.0.1,203.0.113.2", Status("a")); // another replica runs: status kept
            Api.Objects.Create(Ingress("late", "late.example.com", "web"));
            await staying.WaitUntilAsync(() => Task.FromResult(Status("late") == "10.1.0.1,203.0.113.2"), TimeSpan.FromSeconds(20), "the new leader writes");
            Assert.Equal(2, StatusWriters().Count);

            // The last replica stops: it clears what it wrote.
            Api.Objects.Delete("v1", "Pod", "default", leader == "alb/alb-0" ? "alb-0" : "alb-1");
            staying.Process.Signal(15);
            Assert.Equal(0, await staying.Process.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            Assert.Equal("", Status("a"));
            Assert.Equal("192.0.2.9", Status("theirs"));
        }
        finally
        {
            await first.DisposeAsync();
            await second.DisposeAsync();
        }
    }

    private List<Corev1Event> Events(string ingress) =>
        [.. Api.Objects.List("v1", "Event", "default").Select(e => k8s.KubernetesJson.Deserialize<Corev1Event>(e.ToJsonString())).Where(e => e.InvolvedObject?.Name == ingress)];

    private Task<AlbInstance> StartWithPodNamespaceAsync(string pod) =>
        AlbInstance.StartClusterAsync(Kubeconfig, pod, waitReady: true, new Dictionary<string, string> { ["POD_NAMESPACE"] = "default" }, "--election-id", "alb-test-leader");
}
