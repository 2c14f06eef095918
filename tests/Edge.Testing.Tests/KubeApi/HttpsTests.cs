using Edge.Testing.KubeApi;
using k8s;
using k8s.Models;
using Xunit;

namespace Edge.Testing.Tests.KubeApi;

/// <summary>The server over HTTPS (what in-cluster clients need): its CA is trusted through the kubeconfig and the client configuration, and nothing else is.</summary>
public sealed class HttpsTests : IAsyncLifetime
{
    private TestApiServer _api = null!;

    public async Task InitializeAsync() => _api = await TestApiServer.StartAsync(new TestApiServerOptions { Https = true });

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task KubernetesClient_and_kubectl_trust_the_servers_ca_and_send_the_token()
    {
        Assert.Equal("https", _api.Url.Scheme);
        using var client = _api.CreateClient();
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "over-tls" } }, "default");

        using var kubectl = new Kubectl(_api);
        Assert.Contains("over-tls", await kubectl.RunAsync("get", "configmaps", "-o", "name"), StringComparison.Ordinal);
        Assert.All(_api.Requests.Snapshot(), r => Assert.Equal(TestApiServer.Token, r.BearerToken));
    }

    [Fact]
    public async Task A_client_without_the_ca_is_refused_by_its_own_tls_check()
    {
        var config = _api.ClientConfiguration();
        config.SslCaCerts = null;
        using var client = new Kubernetes(config);
        var error = await Record.ExceptionAsync(() => client.CoreV1.ListNamespaceAsync());
        Assert.IsType<HttpRequestException>(error);
        Assert.Empty(_api.Requests.Snapshot());
    }
}
