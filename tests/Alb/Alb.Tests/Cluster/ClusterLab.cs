using Edge.Testing;
using Edge.Testing.KubeApi;
using static Alb.Tests.Cluster.ClusterObjects;

namespace Alb.Tests.Cluster;

/// <summary>A test API server with a kubeconfig for it, and a backend origin whose Service "web" and EndpointSlice are in the cluster.</summary>
internal sealed class ClusterLab : IAsyncDisposable
{
    private ClusterLab(TestApiServer api, string kubeconfig, TestOrigin web)
    {
        Api = api;
        Kubeconfig = kubeconfig;
        Web = web;
    }

    public TestApiServer Api { get; }

    public string Kubeconfig { get; }

    public TestOrigin Web { get; }

    /// <summary>Starts the lab; with <paramref name="https"/> the API server speaks HTTPS (its CA in <see cref="TestApiServer.CaPem"/>).</summary>
    public static async Task<ClusterLab> StartAsync(bool https = false)
    {
        var api = await TestApiServer.StartAsync(new TestApiServerOptions { BookmarkInterval = TimeSpan.FromSeconds(1), Https = https });
        var kubeconfig = api.WriteKubeconfig(Path.Combine(Path.GetTempPath(), $"alb-kubeconfig-{Guid.NewGuid():N}"));
        var web = await TestOrigin.StartAsync("web");
        api.Objects.Create(Service("web"));
        api.Objects.Create(Slice("web", web.Port));
        return new ClusterLab(api, kubeconfig, web);
    }

    public async ValueTask DisposeAsync()
    {
        await Web.DisposeAsync();
        await Api.DisposeAsync();
        File.Delete(Kubeconfig);
    }
}
