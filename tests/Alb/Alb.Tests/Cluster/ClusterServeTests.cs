using System.Diagnostics;
using System.Net;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Edge.Testing.KubeApi;
using k8s.Models;
using Xunit;
using Xunit.Abstractions;
using static Alb.Tests.Cluster.ClusterObjects;

namespace Alb.Tests.Cluster;

/// <summary>
/// alb serve --kubeconfig against the test API server: served from informers, ready only after the first full sync,
/// changes applied at once, a 410 and an API server outage never drop a route, Secrets read only where referenced.
/// </summary>
public sealed class ClusterServeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private ClusterLab _lab = null!;

    private TestApiServer Api => _lab.Api;

    private TestOrigin Web => _lab.Web;

    private string Kubeconfig => _lab.Kubeconfig;

    public async Task InitializeAsync()
    {
        _lab = await ClusterLab.StartAsync();
        Api.Objects.Create(Ingress("a", "a.example.com", "web"));
    }

    public async Task DisposeAsync() => await _lab.DisposeAsync();

    private static async Task<HttpStatusCode> GetAsync(AlbInstance alb, string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = host } };
        using var response = await alb.Http.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task Serves_the_clusters_ingresses_and_applies_a_change_at_once()
    {
        await using var alb = await AlbInstance.StartClusterAsync(Kubeconfig, "alb-0", waitReady: true);
        Assert.Equal(HttpStatusCode.OK, await GetAsync(alb, "a.example.com"));
        Assert.Equal(HttpStatusCode.NotFound, await GetAsync(alb, "b.example.com"));

        var watch = Stopwatch.StartNew();
        Api.Objects.Create(Ingress("b", "b.example.com", "web"));
        await alb.WaitUntilAsync(async () => await GetAsync(alb, "b.example.com") == HttpStatusCode.OK, TimeSpan.FromSeconds(10), "the new Ingress served");
        output.WriteLine($"new Ingress served after {watch.ElapsedMilliseconds} ms");

        Api.Objects.Delete("networking.k8s.io/v1", "Ingress", "default", "a");
        await alb.WaitUntilAsync(async () => await GetAsync(alb, "a.example.com") == HttpStatusCode.NotFound, TimeSpan.FromSeconds(10), "the deleted Ingress gone");
    }

    [Fact]
    public async Task Is_not_ready_before_every_informer_listed_once()
    {
        Api.Faults.FailWhen(r => r.Resource == "endpointslices" && r.Verb == "list", 500);
        await using var alb = await AlbInstance.StartClusterAsync(Kubeconfig, "alb-0", waitReady: false);
        await Task.Delay(1500);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await alb.Admin.GetAsync("/readyz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await alb.Admin.GetAsync("/healthz")).StatusCode);

        Api.Faults.Reset();
        await alb.WaitUntilAsync(async () => (await alb.Admin.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(15), "ready after the list succeeds");
        Assert.Equal(HttpStatusCode.OK, await GetAsync(alb, "a.example.com"));
    }

    /// <summary>Asks a served host every 20 ms until stopped; counts the answers that were not 200.</summary>
    private sealed class Probe : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private int _failures;
        private Task _loop = Task.CompletedTask;

        public static Probe Start(Func<Task<HttpStatusCode>> ask)
        {
            var probe = new Probe();
            probe._loop = Task.Run(async () =>
            {
                while (!probe._stop.IsCancellationRequested)
                {
                    if (await ask() != HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref probe._failures);
                    }

                    await Task.Delay(20);
                }
            });
            return probe;
        }

        /// <summary>Stops asking; the number of failed answers.</summary>
        public async Task<int> StopAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            return _failures;
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            _stop.Dispose();
        }
    }

    [Fact]
    public async Task A_410_and_an_api_server_outage_never_drop_a_route()
    {
        await using var alb = await AlbInstance.StartClusterAsync(Kubeconfig, "alb-0", waitReady: true);
        await using var probe = Probe.Start(() => GetAsync(alb, "a.example.com"));

        var lists = Api.Requests.Where(r => r.Verb == "list" && r.Resource == "ingresses").Count;
        Api.Faults.Compact(expireOpenWatches: true);
        await alb.WaitUntilAsync(() => Task.FromResult(Api.Requests.Where(r => r.Verb == "list" && r.Resource == "ingresses").Count > lists), TimeSpan.FromSeconds(10), "a relist after the 410");

        Api.Faults.FailWhen(_ => true, 503); // the API server is gone
        Api.Faults.DropWatches(WatchDropMode.Abort);
        await Task.Delay(2000);
        Api.Faults.Reset();

        Api.Objects.Create(Ingress("c", "c.example.com", "web"));
        await alb.WaitUntilAsync(async () => await GetAsync(alb, "c.example.com") == HttpStatusCode.OK, TimeSpan.FromSeconds(20), "a change after the outage");
        Assert.Equal(0, await probe.StopAsync());
    }

    [Fact]
    public async Task A_restarted_api_server_never_drops_a_route_and_a_change_after_it_is_served()
    {
        await using var alb = await AlbInstance.StartClusterAsync(Kubeconfig, "alb-0", waitReady: true);
        await using var probe = Probe.Start(() => GetAsync(alb, "a.example.com"));

        // Connections refused for 3 s, every watch gone, then the same port and objects: a kube-apiserver restart.
        await Api.RestartAsync(TimeSpan.FromSeconds(3));
        var back = Stopwatch.StartNew();
        var restarted = Api.Requests.Snapshot()[^1].Sequence; // requests the stopping server took are before this
        Assert.Equal(HttpStatusCode.OK, await GetAsync(alb, "a.example.com"));
        using (var ready = await alb.Admin.GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode); // serving the last good table is being ready
        }

        await alb.WaitUntilAsync(() => Task.FromResult(Api.Requests.Where(r => r.Sequence > restarted && r.Verb == "watch" && r.Resource == "ingresses").Count > 0), TimeSpan.FromSeconds(20), "a new Ingress watch after the restart");
        var watching = back.Elapsed;
        var changed = Stopwatch.StartNew();
        Api.Objects.Create(Ingress("d", "d.example.com", "web"));
        await alb.WaitUntilAsync(async () => await GetAsync(alb, "d.example.com") == HttpStatusCode.OK, TimeSpan.FromSeconds(20), "a change after the restart");
        output.WriteLine($"watching again {watching.TotalMilliseconds:F0} ms after the restart; a change served {changed.ElapsedMilliseconds} ms later");

        // Nothing answered during the outage, so retries waited at most the unreachable cap (4 s, jittered).
        Assert.True(watching < TimeSpan.FromSeconds(5), $"the Ingress watch came back {watching.TotalMilliseconds:F0} ms after the API server");
        Assert.True(changed.Elapsed < TimeSpan.FromSeconds(1), $"a change took {changed.ElapsedMilliseconds} ms once the watch was back");
        Assert.Equal(0, await probe.StopAsync());
    }

    [Fact]
    public async Task Reads_secrets_only_of_the_namespaces_its_ingresses_reference()
    {
        Api.Objects.Create(new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = new() { Name = "auth" } });
        Api.Objects.Create(new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = new() { Name = "unrelated" } });
        Api.Objects.Create(Ingress("guarded", "g.example.com", "web", annotations: new()
        {
            ["nginx.ingress.kubernetes.io/auth-type"] = "basic",
            ["nginx.ingress.kubernetes.io/auth-secret"] = "auth/htpasswd",
        }));
        await using var alb = await AlbInstance.StartClusterAsync(Kubeconfig, "alb-0", waitReady: true, "--configmap", "default/alb-config");
        var secretNamespaces = Api.Requests.Where(r => r.Resource == "secrets").Select(r => r.Namespace ?? "(all)").Distinct().Order().ToList();
        Assert.Equal(["auth", "default"], secretNamespaces);
        // The cross-namespace Secret is not allowed (no allow-cross-namespace-resources): the route fails closed.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await GetAsync(alb, "g.example.com"));
    }

    [Fact]
    public async Task Watch_namespace_limits_what_is_read_and_served()
    {
        Api.Objects.Create(new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = new() { Name = "shop" } });
        Api.Objects.Create(Service("web", "shop"));
        Api.Objects.Create(Slice("web", Web.Port, "shop"));
        Api.Objects.Create(Ingress("s", "s.example.com", "web", ns: "shop"));
        await using var alb = await AlbInstance.StartClusterAsync(Kubeconfig, "alb-0", waitReady: true, "--watch-namespace", "shop");
        Assert.Equal(HttpStatusCode.OK, await GetAsync(alb, "s.example.com"));
        Assert.Equal(HttpStatusCode.NotFound, await GetAsync(alb, "a.example.com")); // an Ingress of "default"
        var scopes = Api.Requests.Where(r => r.Resource is "ingresses" or "services" or "endpointslices" or "secrets" && r.Verb is "list" or "watch")
            .Select(r => $"{r.Resource}:{r.Namespace ?? "(all)"}").Distinct().Order().ToList();
        Assert.Equal(["endpointslices:shop", "ingresses:shop", "secrets:shop", "services:shop"], scopes);
    }
}
