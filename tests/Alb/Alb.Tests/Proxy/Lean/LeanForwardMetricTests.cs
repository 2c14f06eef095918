using System.Net;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;

namespace Alb.Tests.Proxy.Lean;

/// <summary>alb_upstream_forward_total counts each request by the client that sent it: the lean client by default, YARP with ALB_LEAN_H1=0.</summary>
public sealed class LeanForwardMetricTests : IAsyncLifetime
{
    private TestOrigin _origin = null!;
    private AlbInstance _lean = null!;
    private AlbInstance _plain = null!;

    public async Task InitializeAsync()
    {
        _origin = await TestOrigin.StartAsync("o");
        var manifests = ManifestDir.Backend("o", [_origin.Port]) +
            ManifestDir.Ingress("plain", "plain.example.com", "/", "o") +
            ManifestDir.Ingress("http10", "http10.example.com", "/", "o", annotations: new Dictionary<string, string> { ["nginx.ingress.kubernetes.io/proxy-http-version"] = "1.0" });
        var lean = new ManifestDir();
        lean.Write("all.yaml", manifests);
        _lean = await AlbInstance.StartAsync(lean); // the default
        var plain = new ManifestDir();
        plain.Write("all.yaml", manifests);
        _plain = await AlbInstance.StartAsync(plain, LeanMetrics.Off);
    }

    public async Task DisposeAsync()
    {
        await _lean.DisposeAsync();
        await _plain.DisposeAsync();
        await _origin.DisposeAsync();
    }

    private static async Task<HttpStatusCode> GetAsync(AlbInstance alb, string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = host } };
        using var response = await alb.Http.SendAsync(request);
        await response.Content.ReadAsStringAsync();
        return response.StatusCode;
    }

    [Fact]
    public async Task Counts_a_plain_route_as_lean_and_an_http10_backend_as_general()
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await GetAsync(_lean, "plain.example.com"));
        }

        var metrics = await _lean.MetricsAsync();
        Assert.Equal(3, LeanMetrics.Own(metrics));
        Assert.Equal(0, LeanMetrics.Forwarded(metrics, "general"));

        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await GetAsync(_lean, "http10.example.com"));
        }

        metrics = await _lean.MetricsAsync();
        Assert.Equal(3, LeanMetrics.Own(metrics));
        Assert.Equal(2, LeanMetrics.Forwarded(metrics, "general"));
    }

    [Fact]
    public async Task Counts_every_request_as_general_with_ALB_LEAN_H1_0()
    {
        Assert.Equal(HttpStatusCode.OK, await GetAsync(_plain, "plain.example.com"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(_plain, "http10.example.com"));

        var metrics = await _plain.MetricsAsync();
        Assert.Equal(0, LeanMetrics.Own(metrics));
        Assert.Equal(2, LeanMetrics.Forwarded(metrics, "general"));
    }
}
