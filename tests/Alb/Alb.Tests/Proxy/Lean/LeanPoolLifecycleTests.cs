using System.Net;
using Alb.Tests.Fixtures;
using Xunit;

namespace Alb.Tests.Proxy.Lean;

/// <summary>
/// The lean client's pooled connections, seen from the backend: an endpoint removed by a reload has its idle
/// connections closed at once; an idle one is closed after upstream-keepalive-timeout by the sweep.
/// </summary>
public sealed class LeanPoolLifecycleTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    private static Task<(HttpStatusCode Status, string Body)> GetAsync(AlbInstance alb, string host) => GetAsync(alb.Http, host);

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient client, string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = host } };
        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Closes_the_idle_connections_of_an_endpoint_a_reload_removed()
    {
        await using var kept = ScriptedBackend.Healthy();
        await using var removed = ScriptedBackend.Healthy();
        var dir = new ManifestDir();
        var keptObjects = ManifestDir.Backend("kept", [kept.Port]) + ManifestDir.Ingress("kept", "kept.example.com", "/", "kept");
        dir.Write("kept.yaml", keptObjects);
        dir.Write("removed.yaml", ManifestDir.Backend("removed", [removed.Port]) + ManifestDir.Ingress("removed", "removed.example.com", "/", "removed"));
        await using var alb = await AlbInstance.StartAsync(dir, LeanMetrics.Environment);

        // The kept endpoint's requests share one client connection: with the front end's loops (the default) each loop has its own
        // pool (as each nginx worker has), and one connection stays on one loop.
        using var keptClient = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = alb.Http.BaseAddress };
        Assert.Equal((HttpStatusCode.OK, "ok"), await GetAsync(keptClient, "kept.example.com"));
        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => GetAsync(alb, "removed.example.com")));
        Assert.All(answers, a => Assert.Equal((HttpStatusCode.OK, "ok"), a));
        Assert.Equal(1, kept.Open);
        Assert.InRange(removed.Open, 1, 4); // kept alive in the pool
        var idle = removed.Open;
        await Task.Delay(300);
        Assert.Equal(idle, removed.Open); // not closed by anything else (upstream-keepalive-timeout is 60 s)

        dir.Delete("removed.yaml");
        await alb.WaitUntilAsync(async () => (await GetAsync(alb, "removed.example.com")).Status == HttpStatusCode.NotFound, Settle, "the reload without the removed backend");

        Assert.True(await ScriptedBackend.EventuallyAsync(() => removed.Open == 0, Settle), $"{removed.Open} connections still open to the removed endpoint");
        Assert.Equal(1, kept.Open); // the unchanged endpoint's pool survives the publish
        Assert.Equal((HttpStatusCode.OK, "ok"), await GetAsync(keptClient, "kept.example.com"));
        Assert.Equal(1, kept.Accepted); // on its pooled connection
        Assert.True(LeanMetrics.Own(await alb.MetricsAsync()) >= 6); // all of them went the lean way
    }

    [Fact]
    public async Task Closes_an_idle_connection_after_upstream_keepalive_timeout()
    {
        await using var backend = ScriptedBackend.Healthy();
        var dir = new ManifestDir();
        dir.Write("all.yaml", ManifestDir.Backend("b", [backend.Port]) + ManifestDir.Ingress("b", "b.example.com", "/", "b") + """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: alb, namespace: ingress}
            data:
              upstream-keepalive-timeout: "1"
            """);
        await using var alb = await AlbInstance.StartAsync(dir, LeanMetrics.Environment, "--configmap", "ingress/alb");

        Assert.Equal((HttpStatusCode.OK, "ok"), await GetAsync(alb, "b.example.com"));
        Assert.Equal((HttpStatusCode.OK, "ok"), await GetAsync(alb, "b.example.com"));
        Assert.Equal(1, backend.Accepted); // reused within the timeout
        Assert.Equal(1, backend.Open);

        Assert.True(await ScriptedBackend.EventuallyAsync(() => backend.Open == 0, TimeSpan.FromSeconds(4)), "the idle connection is still open");
        Assert.Equal((HttpStatusCode.OK, "ok"), await GetAsync(alb, "b.example.com"));
        Assert.Equal(2, backend.Accepted);
    }
}
