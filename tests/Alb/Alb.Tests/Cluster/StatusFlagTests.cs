using System.Net;
using System.Text.Json.Nodes;
using Alb.Tests.Fixtures;
using Edge.Testing.KubeApi;
using k8s.Models;
using Xunit;
using static Alb.Tests.Cluster.ClusterObjects;
using static Alb.Tests.Cluster.StatusObjects;

namespace Alb.Tests.Cluster;

/// <summary>
/// The Ingress status flags of ingress-nginx, on a real alb: <c>--publish-status-address</c> wins over
/// <c>--publish-service</c>, which gives the Service's addresses by its type; with neither, the nodes of the ready alb
/// Pods. Pods and Nodes are read only in that last case, and readiness never waits on them. With
/// <c>--update-status-on-shutdown=false</c> the last replica leaves the status as it was.
/// </summary>
public sealed class StatusFlagTests : IAsyncLifetime
{
    /// <summary>alb as in a Pod of namespace default: the node fallback could read Pods and Nodes.</summary>
    private static readonly Dictionary<string, string> InPod = new() { ["POD_NAMESPACE"] = "default" };

    private ClusterLab _lab = null!;

    private TestApiServer Api => _lab.Api;

    public async Task InitializeAsync()
    {
        _lab = await ClusterLab.StartAsync();
        Api.Objects.Create(Ingress("a", "a.example.com", "web"));
        Api.Objects.Create(Node("n1", ("InternalIP", "10.1.0.1"), ("ExternalIP", "203.0.113.1")));
        Api.Objects.Create(Node("n2", ("InternalIP", "10.1.0.2")));
        Api.Objects.Create(Node("n3", ("InternalIP", "10.1.0.3")));
        Api.Objects.Create(Pod("alb-0", "n1"));
        Api.Objects.Create(Pod("alb-1", "n2", ready: false));
        Api.Objects.Create(Pod("other-0", "n3", app: "other"));
        Api.Objects.Create(LoadBalancer());
    }

    public async Task DisposeAsync() => await _lab.DisposeAsync();

    /// <summary>Service default/published of type LoadBalancer, with a load-balancer IP and host name and an external IP.</summary>
    private static V1Service LoadBalancer() => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = new V1ObjectMeta { Name = "published", NamespaceProperty = "default" },
        Spec = new V1ServiceSpec { Type = "LoadBalancer", ClusterIP = "10.96.0.10", ExternalIPs = ["203.0.113.5"], Ports = [new V1ServicePort { Port = 80 }] },
        Status = new V1ServiceStatus { LoadBalancer = new V1LoadBalancerStatus { Ingress = [new() { Ip = "198.51.100.10" }, new() { Hostname = "lb.cloud.example" }] } },
    };

    private Task WaitForStatusAsync(AlbInstance alb, string expected) =>
        alb.WaitUntilAsync(() => Task.FromResult(Status(Api, "a") == expected), TimeSpan.FromSeconds(20), $"status [{expected}]");

    /// <summary>Every write to the Ingress went to its status subresource.</summary>
    private void AssertWrittenThroughTheStatusSubresource()
    {
        var writes = Api.Requests.Where(r => r.Resource == "ingresses" && r.IsWrite);
        Assert.NotEmpty(writes);
        Assert.All(writes, w => Assert.Equal("status", w.Subresource));
    }

    [Fact]
    public async Task Publish_status_address_wins_over_publish_service_and_neither_pods_nor_nodes_are_read()
    {
        // Pods and Nodes cannot be read at all: alb must get ready and write status without them.
        Api.Faults.FailWhen(r => r.Resource is "pods" or "nodes", 500);
        await using var alb = await AlbInstance.StartClusterAsync(_lab.Kubeconfig, "alb-0", waitReady: true, InPod,
            "--publish-status-address", "192.0.2.1,lb.example.com", "--publish-service", "default/published");

        await WaitForStatusAsync(alb, "ip=192.0.2.1,hostname=lb.example.com");
        AssertWrittenThroughTheStatusSubresource();
        Assert.Empty(PodAndNodeRequests(Api));
        Assert.Empty(Api.Requests.Where(r => r.Resource == "services" && r.Name == "published")); // not even looked at
    }

    [Fact]
    public async Task Publish_service_gives_the_services_addresses_by_type_and_neither_pods_nor_nodes_are_read()
    {
        Api.Faults.FailWhen(r => r.Resource is "pods" or "nodes", 500);
        await using var alb = await AlbInstance.StartClusterAsync(_lab.Kubeconfig, "alb-0", waitReady: true, InPod, "--publish-service", "default/published");

        // LoadBalancer: its load balancer's IPs and host names, and its external IPs (IPs first, then names).
        await WaitForStatusAsync(alb, "ip=198.51.100.10,ip=203.0.113.5,hostname=lb.cloud.example");
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = "a.example.com" } })
        {
            Assert.Equal(HttpStatusCode.OK, (await alb.Http.SendAsync(request)).StatusCode);
        }

        // The Service changes type; each change is a rebuild, after which the leader reads the Service again.
        Retype(spec => spec["type"] = "NodePort"); // its external IPs; the load balancer's addresses no longer count
        await WaitForStatusAsync(alb, "ip=203.0.113.5");
        Retype(spec => spec.Remove("externalIPs")); // a NodePort without external IPs: its cluster IP
        await WaitForStatusAsync(alb, "ip=10.96.0.10");
        Retype(spec =>
        {
            spec["type"] = "ClusterIP";
            spec["clusterIP"] = "10.96.0.11";
        });
        await WaitForStatusAsync(alb, "ip=10.96.0.11");
        Retype(spec =>
        {
            spec["type"] = "ExternalName";
            spec["externalName"] = "edge.example.net";
            spec.Remove("clusterIP");
        });
        await WaitForStatusAsync(alb, "hostname=edge.example.net");

        AssertWrittenThroughTheStatusSubresource();
        Assert.Empty(PodAndNodeRequests(Api));
    }

    /// <summary>Replaces default/published with its spec edited (the load balancer status kept).</summary>
    private void Retype(Action<JsonObject> edit)
    {
        var service = Api.Objects.Get("v1", "Service", "default", "published")!;
        edit(service["spec"]!.AsObject());
        Api.Objects.Put(service);
    }

    [Fact]
    public async Task Without_either_flag_the_nodes_of_the_ready_alb_pods_are_read_and_written()
    {
        await using var alb = await AlbInstance.StartClusterAsync(_lab.Kubeconfig, "alb-0", waitReady: true, InPod);

        // alb-0 is Ready on n1 (its ExternalIP); alb-1 is not Ready; other-0 is not an alb Pod.
        await WaitForStatusAsync(alb, "ip=203.0.113.1");
        AssertWrittenThroughTheStatusSubresource();
        var pods = Api.Requests.Where(r => r.Resource == "pods" && r.Verb == "list");
        Assert.NotEmpty(pods);
        Assert.All(pods, r => Assert.Contains("labelSelector=app%3Dalb", r.Query, StringComparison.Ordinal)); // only this alb's Pods
        Assert.NotEmpty(Api.Requests.Where(r => r.Resource == "nodes" && r.Verb == "list"));
    }

    [Fact]
    public async Task Update_status_on_shutdown_false_leaves_the_status_when_the_last_replica_stops()
    {
        // alb-0 is then the only Running alb Pod, so with the default (true) this replica's SIGTERM would clear the
        // status (ClusterLeaderTests checks that).
        Api.Objects.Delete("v1", "Pod", "default", "alb-1");
        await using var alb = await AlbInstance.StartClusterAsync(_lab.Kubeconfig, "alb-0", waitReady: true, InPod,
            "--publish-status-address", "192.0.2.1", "--update-status-on-shutdown=false");
        await WaitForStatusAsync(alb, "ip=192.0.2.1");
        var before = Api.Requests.Snapshot()[^1].Sequence;

        alb.Process.Signal(15);
        Assert.Equal(0, await alb.Process.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal("ip=192.0.2.1", Status(Api, "a"));
        Assert.Empty(Api.Requests.Where(r => r.Sequence > before && r.Resource == "ingresses" && r.IsWrite));
        Assert.Empty(PodAndNodeRequests(Api, after: before)); // nothing to decide, so nothing read
        Assert.Equal("", Api.Objects.Get<V1Lease>("default", "alb-leader")?.Spec?.HolderIdentity ?? ""); // it did stop as leader: Lease released
    }
}
