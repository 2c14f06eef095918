using System.Net;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;

namespace Alb.Tests.Annotations;

/// <summary>proxy-next-upstream with http_503: a failing endpoint's 503 is retried on the next one, never for POST unless non_idempotent.</summary>
public sealed class NextUpstreamTests : IAsyncLifetime
{
    private const string P = "nginx.ingress.kubernetes.io/";
    private TestOrigin _bad = null!;
    private TestOrigin _good = null!;
    private AlbInstance _alb = null!;

    public async Task InitializeAsync()
    {
        _bad = await TestOrigin.StartAsync("bad");
        _bad.ForcedStatus = 503;
        _good = await TestOrigin.StartAsync("good");
        var dir = new ManifestDir();
        dir.Write("all.yaml", ManifestDir.Backend("pair", [_bad.Port, _good.Port]) +
            ManifestDir.Ingress("retry", "retry.example.com", "/", "pair", annotations: new Dictionary<string, string> { [P + "proxy-next-upstream"] = "error timeout http_503" }) +
            ManifestDir.Ingress("retry-all", "retry-all.example.com", "/", "pair", annotations: new Dictionary<string, string> { [P + "proxy-next-upstream"] = "error http_503 non_idempotent" }) +
            ManifestDir.Ingress("plain", "plain.example.com", "/", "pair"));
        _alb = await AlbInstance.StartAsync(dir);
    }

    public async Task DisposeAsync()
    {
        await _alb.DisposeAsync();
        await _bad.DisposeAsync();
        await _good.DisposeAsync();
    }

    private async Task<List<HttpStatusCode>> SendAsync(HttpMethod method, string host, int count)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(method, "/") { Content = method == HttpMethod.Post ? new StringContent("x") : null };
            request.Headers.Host = host;
            using var response = await _alb.Http.SendAsync(request);
            statuses.Add(response.StatusCode);
        }

        return statuses;
    }

    [Fact]
    public async Task A_503_is_retried_on_the_next_endpoint_for_idempotent_requests() =>
        Assert.All(await SendAsync(HttpMethod.Get, "retry.example.com", 12), s => Assert.Equal(HttpStatusCode.OK, s));

    [Fact]
    public async Task Post_is_not_retried_unless_non_idempotent()
    {
        Assert.Contains(HttpStatusCode.ServiceUnavailable, await SendAsync(HttpMethod.Post, "retry.example.com", 12));
        Assert.All(await SendAsync(HttpMethod.Post, "retry-all.example.com", 12), s => Assert.Equal(HttpStatusCode.OK, s));
    }

    [Fact]
    public async Task Without_http_503_the_answer_passes_through() =>
        Assert.Contains(HttpStatusCode.ServiceUnavailable, await SendAsync(HttpMethod.Get, "plain.example.com", 12));
}
