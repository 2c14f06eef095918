using System.Net;
using Alb.Tests.Fixtures;
using AlbOperator.Core.Desired;
using AlbOperator.Core.Model;
using Edge.Testing;
using Edge.Testing.KubeApi;
using k8s;
using k8s.Models;
using Xunit;
using static Alb.Tests.Cluster.ClusterObjects;

namespace Alb.Tests.Cluster;

/// <summary>
/// The contract between the operator and alb, run for real: the container arguments, IngressClass, ConfigMap and
/// Service that alb-operator's core writes for an Alb start an alb process that serves that Alb's class, elects on
/// the Alb's Lease and publishes the Service's address as Ingress status.
/// </summary>
public sealed class OperatorDeploymentTests : IAsyncLifetime
{
    private ClusterLab _lab = null!;

    private TestApiServer Api => _lab.Api;

    private TestOrigin Web => _lab.Web;

    private string Kubeconfig => _lab.Kubeconfig;

    public async Task InitializeAsync()
    {
        _lab = await ClusterLab.StartAsync();
    }

    public async Task DisposeAsync() => await _lab.DisposeAsync();

    [Fact]
    public async Task The_operators_deployment_arguments_start_an_alb_that_serves_its_class_and_writes_status()
    {
        var alb = new AlbResource
        {
            Metadata = new V1ObjectMeta { Name = "edge", NamespaceProperty = "edge-system", Uid = Guid.NewGuid().ToString() },
            Spec = new AlbSpec { Config = new Dictionary<string, string> { ["proxy-body-size"] = "1k" } },
        };
        var desired = DesiredState.For(alb, new DesiredStateOptions { AlbImage = "registry.example.com/edge/alb:test" });
        Assert.True(desired.IsValid, string.Join("; ", desired.Errors));

        // What the operator would apply, as far as alb reads it: its IngressClass, ConfigMap and Service.
        var ingressClass = desired.Get<V1IngressClass>()!;
        var service = desired.Get<V1Service>()!;
        Api.Objects.Create(Strip(ingressClass));
        Api.Objects.Create(Strip(desired.Get<V1ConfigMap>()!));
        var published = Strip(service);
        published.Status = new V1ServiceStatus { LoadBalancer = new V1LoadBalancerStatus { Ingress = [new V1LoadBalancerIngress { Ip = "198.51.100.10" }] } };
        Api.Objects.Create(published);

        Api.Objects.Create(Ingress("ours", "ours.example.com", "web", className: ingressClass.Metadata.Name));
        Api.Objects.Create(Ingress("other", "other.example.com", "web", className: "someone-else"));

        // The container's arguments, with the listeners moved to free loopback ports (AlbInstance sets those).
        var container = desired.Get<V1Deployment>()!.Spec.Template.Spec.Containers.Single(c => c.Name == "alb");
        var args = new List<string>();
        for (var i = 1; i < container.Args.Count; i++) // [0] is "serve"
        {
            if (container.Args[i] is "--http" or "--https" or "--admin")
            {
                i++;
                continue;
            }

            args.Add(container.Args[i]);
        }

        await using var instance = await AlbInstance.StartClusterAsync(Kubeconfig, "edge-abc12", waitReady: true,
            new Dictionary<string, string> { ["POD_NAMESPACE"] = "edge-system" }, [.. args]);
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = "ours.example.com" } })
        {
            Assert.Equal(HttpStatusCode.OK, (await instance.Http.SendAsync(request)).StatusCode);
        }

        using (var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = "other.example.com" } })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await instance.Http.SendAsync(request)).StatusCode);
        }

        using (var request = new HttpRequestMessage(HttpMethod.Post, "/") { Headers = { Host = "ours.example.com" }, Content = new ByteArrayContent(new byte[4096]) })
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await instance.Http.SendAsync(request)).StatusCode); // spec.config reached alb
        }

        await instance.WaitUntilAsync(
            () => Task.FromResult(Api.Objects.Get<V1Ingress>("default", "ours")?.Status?.LoadBalancer?.Ingress?.SingleOrDefault()?.Ip == "198.51.100.10"),
            TimeSpan.FromSeconds(20), "the published Service's address as Ingress status");
        Assert.Null(Api.Objects.Get<V1Ingress>("default", "other")?.Status?.LoadBalancer?.Ingress?.FirstOrDefault());
        var lease = Api.Objects.Get<V1Lease>("edge-system", args[args.IndexOf("--election-id") + 1]);
        Assert.Equal("edge-abc12", lease?.Spec?.HolderIdentity);
    }

    /// <summary>The object as a client would create it: no operator bookkeeping the test server would refuse.</summary>
    private static T Strip<T>(T obj)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        var copy = KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(obj));
        copy.Metadata.OwnerReferences = null;
        return copy;
    }
}
