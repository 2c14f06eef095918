using System.Net;
using Alb.Tests.Fixtures;
using Edge.Testing.KubeApi;
using k8s.Models;
using Xunit;
using static Alb.Tests.Cluster.ClusterObjects;

namespace Alb.Tests.Cluster;

/// <summary>
/// alb started as the kubelet starts it in a Pod: no --manifests and no --kubeconfig, the API server from
/// KUBERNETES_SERVICE_HOST/PORT over HTTPS, its CA, the service account token and the Pod's namespace from
/// /var/run/secrets/kubernetes.io/serviceaccount.
/// </summary>
public sealed class InClusterTests
{
    private const string ServiceAccountToken = "in-cluster-service-account-token";

    [SkippableFact]
    public async Task Reads_the_service_account_talks_https_and_serves_the_clusters_ingresses()
    {
        var why = AlbInstance.InClusterUnavailable();
        Skip.If(why is not null, why);
        await using var lab = await ClusterLab.StartAsync(https: true);
        lab.Api.Objects.Create(Ingress("a", "a.example.com", "web"));
        var serviceAccount = Directory.CreateTempSubdirectory("alb-sa-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(serviceAccount, "token"), ServiceAccountToken);
            File.WriteAllText(Path.Combine(serviceAccount, "ca.crt"), lab.Api.CaPem);
            File.WriteAllText(Path.Combine(serviceAccount, "namespace"), "edge-system");

            await using var alb = await AlbInstance.StartInClusterAsync(lab.Api.Url, serviceAccount, "alb-in-pod", "edge-system");
            using var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = "a.example.com" } };
            using var response = await alb.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

            // The Lease is in the Pod's namespace, held by the Pod's name; every request carried the mounted token.
            await alb.WaitUntilAsync(() => Task.FromResult(lab.Api.Objects.Get<V1Lease>("edge-system", "alb-leader")?.Spec.HolderIdentity == "alb-in-pod"), TimeSpan.FromSeconds(15), "the Lease in edge-system");
            var requests = lab.Api.Requests.Snapshot();
            Assert.NotEmpty(requests);
            Assert.All(requests, r => Assert.Equal(ServiceAccountToken, r.BearerToken));
        }
        finally
        {
            Directory.Delete(serviceAccount, recursive: true);
        }
    }
}
