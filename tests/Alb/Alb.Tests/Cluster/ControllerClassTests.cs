using System.Net;
using Alb.Tests.Fixtures;
using Edge.Testing.KubeApi;
using Xunit;
using static Alb.Tests.Cluster.ClusterObjects;
using static Alb.Tests.Cluster.StatusObjects;

namespace Alb.Tests.Cluster;

/// <summary>
/// <c>--controller-class k8s.io/ingress-nginx</c> takes over ingress-nginx's IngressClasses, and only them: an Ingress
/// whose IngressClass names that controller is served (and gets status); one whose class names edge.io/alb is not.
/// </summary>
public sealed class ControllerClassTests : IAsyncLifetime
{
    private ClusterLab _lab = null!;

    private TestApiServer Api => _lab.Api;

    public async Task InitializeAsync()
    {
        _lab = await ClusterLab.StartAsync();
        Api.Objects.Create(IngressClass("nginx", "k8s.io/ingress-nginx"));
        Api.Objects.Create(IngressClass("alb", "edge.io/alb"));
        Api.Objects.Create(Ingress("taken-over", "nginx.example.com", "web", className: "nginx"));
        Api.Objects.Create(Ingress("edge", "alb.example.com", "web", className: "alb"));
    }

    public async Task DisposeAsync() => await _lab.DisposeAsync();

    private static async Task<HttpStatusCode> GetAsync(AlbInstance alb, string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/taken?x=1") { Headers = { Host = host } };
        using var response = await alb.Http.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task Controller_class_ingress_nginx_serves_ingress_nginx_classes_and_not_edges()
    {
        await using var alb = await AlbInstance.StartClusterAsync(_lab.Kubeconfig, "alb-0", waitReady: true,
            "--controller-class", "k8s.io/ingress-nginx", "--publish-status-address", "192.0.2.1");

        Assert.Equal(HttpStatusCode.OK, await GetAsync(alb, "nginx.example.com"));
        Assert.Equal(1, _lab.Web.Requests);
        Assert.StartsWith("GET nginx.example.com/taken?x=1", _lab.Web.LastRequest, StringComparison.Ordinal); // through alb to the origin

        Assert.Equal(HttpStatusCode.NotFound, await GetAsync(alb, "alb.example.com"));
        Assert.Equal(1, _lab.Web.Requests);

        await alb.WaitUntilAsync(() => Task.FromResult(Status(Api, "taken-over") == "ip=192.0.2.1"), TimeSpan.FromSeconds(20), "status on the taken-over Ingress");
        Assert.Equal("", Status(Api, "edge"));
    }
}
