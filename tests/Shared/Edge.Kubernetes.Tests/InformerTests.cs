using Edge.Testing.KubeApi;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Edge.Kubernetes.Tests;

/// <summary>The informer against the test API server: list + watch, 410, silent and aborted watches, errors, paging.</summary>
public sealed class InformerTests : IAsyncLifetime
{
    private static readonly InformerOptions Fast = new()
    {
        PageSize = 2,
        IdleTimeout = TimeSpan.FromSeconds(1),
        RetryInitial = TimeSpan.FromMilliseconds(50),
        RetryCap = TimeSpan.FromMilliseconds(200),
    };

    private TestApiServer _server = null!;
    private KubeApi _api = null!;
    private readonly CancellationTokenSource _stop = new();

    public async Task InitializeAsync()
    {
        _server = await TestApiServer.StartAsync(new TestApiServerOptions { BookmarkInterval = TimeSpan.FromMilliseconds(300) });
        _api = new KubeApi(_server.CreateClient());
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        _stop.Dispose();
        await _server.DisposeAsync();
    }

    private static V1ConfigMap Map(string name, string value, string ns = "default") => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Data = new Dictionary<string, string> { ["v"] = value },
    };

    private (Informer<V1ConfigMap> Informer, Task Run, Func<int> Changes) Start(string? ns = null, Selectors? selectors = null)
    {
        var informer = new Informer<V1ConfigMap>(_api, ResourceKind.ConfigMaps, ns, selectors, Fast, TimeProvider.System, NullLogger.Instance);
        var changes = 0;
        informer.Changed += () => Interlocked.Increment(ref changes);
        return (informer, Task.Run(() => informer.RunAsync(_stop.Token)), () => Volatile.Read(ref changes));
    }

    private static string? Value(Informer<V1ConfigMap> informer, string name) => informer.Get("default", name)?.Data?["v"];

    /// <summary>Five ConfigMaps named <paramref name="prefix"/>0-4, then an informer started over them and its first list done.</summary>
    private async Task<(Informer<V1ConfigMap> Informer, Func<int> Changes)> FiveThenSyncedAsync(string prefix)
    {
        for (var i = 0; i < 5; i++)
        {
            await _api.CreateAsync(ResourceKind.ConfigMaps, "default", Map($"{prefix}{i}", "0"), default);
        }

        var (informer, _, changes) = Start();
        await informer.FirstSync.WaitAsync(TimeSpan.FromSeconds(10));
        return (informer, changes);
    }

    [Fact]
    public async Task Lists_in_pages_then_applies_every_change_in_order()
    {
        var (informer, changes) = await FiveThenSyncedAsync("m");
        Assert.Equal(5, informer.Items.Count(m => m.Metadata.Name.StartsWith('m')));
        Assert.True(_server.Requests.Where(r => r.Verb == "list" && r.Resource == "configmaps").Count >= 3); // 5 items, pages of 2

        var before = changes();
        await _api.MergePatchAsync<V1ConfigMap>(ResourceKind.ConfigMaps, "default", "m1", """{"data":{"v":"1"}}""", default);
        await _api.DeleteAsync(ResourceKind.ConfigMaps, "default", "m2", default);
        await _api.CreateAsync(ResourceKind.ConfigMaps, "default", Map("m5", "new"), default);
        await Eventually.TrueAsync(() => Value(informer, "m1") == "1" && informer.Get("default", "m2") is null && Value(informer, "m5") == "new", "the three changes");
        Assert.True(changes() >= before + 3);
        Assert.Equal(1, informer.Lists);
    }

    [Fact]
    public async Task Asks_for_the_next_page_before_parsing_the_one_it_has_and_for_each_page_once()
    {
        var (informer, _) = await FiveThenSyncedAsync("p");
        var lists = _server.Requests.Where(r => r.Verb == "list" && r.Resource == "configmaps");
        Assert.Equal(3, lists.Count); // 5 items in pages of 2: each page asked for once, early or not
        Assert.Equal(3, lists.Select(r => r.Query).Distinct().Count());
        Assert.Equal(5, informer.Items.Count);

        // A page whose items cannot be read (a number where ConfigMap data holds strings): the next page was asked
        // for already, from the page's metadata, before the failure; the informer lists again later, as after any failure.
        using var stop = new CancellationTokenSource();
        var raw = new StringContent("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"p00-bad","namespace":"default"},"data":{"v":5}}""", System.Text.Encoding.UTF8, "application/json");
        var client = _server.CreateClient();
        using var created = await client.HttpClient.PostAsync(new Uri(client.BaseUri, "/api/v1/namespaces/default/configmaps"), raw);
        Assert.True(created.IsSuccessStatusCode, $"seeding the bad object: {(int)created.StatusCode}");
        _server.Requests.Clear();
        var failing = new Informer<V1ConfigMap>(_api, ResourceKind.ConfigMaps, null, null, Fast, TimeProvider.System, NullLogger.Instance);
        var run = Task.Run(() => failing.RunAsync(stop.Token));
        await Eventually.TrueAsync(() => _server.Requests.Where(r => r.Verb == "list" && r.Resource == "configmaps").Count >= 4, "two attempts at the list");
        Assert.False(failing.FirstSync.IsCompleted);
        var attempts = _server.Requests.Where(r => r.Verb == "list" && r.Resource == "configmaps");
        Assert.Contains("continue=", attempts[1].Query, StringComparison.Ordinal); // the second page, asked for although the first failed
        Assert.DoesNotContain("continue=", attempts[2].Query, StringComparison.Ordinal); // then the list again from its start
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_410_lists_again_without_losing_or_inventing_objects()
    {
        await _api.CreateAsync(ResourceKind.ConfigMaps, "default", Map("keep", "1"), default);
        var (informer, _, _) = Start();
        await informer.FirstSync.WaitAsync(TimeSpan.FromSeconds(10));

        // Every open watch gets a 410 ERROR event. On a loaded machine the informer may be between two watches at that
        // moment (its 1 s idle bound restarted one): a watch opened at the compacted version itself is valid and needs no
        // relist, so the compaction is repeated until an open watch of the informer's received it. An informer that does
        // not relist on the ERROR event fails every attempt.
        for (var attempt = 0; attempt < 5 && informer.Lists < 2; attempt++)
        {
            await Eventually.TrueAsync(() => _server.Faults.OpenWatches > 0, "a watch open");
            _server.Faults.Compact(expireOpenWatches: true);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(3);
            while (informer.Lists < 2 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
        }

        Assert.True(informer.Lists >= 2, "the 410 ERROR event made the informer list again");
        await _api.CreateAsync(ResourceKind.ConfigMaps, "default", Map("after", "2"), default);
        await Eventually.TrueAsync(() => Value(informer, "after") == "2", "the object created after the relist");
        Assert.Equal("1", Value(informer, "keep"));
        Assert.Equal(
            _server.Objects.List("v1", "ConfigMap").Select(o => (string)o["metadata"]!["namespace"]! + "/" + (string)o["metadata"]!["name"]!).Order(),
            informer.Items.Select(m => m.Metadata.NamespaceProperty + "/" + m.Metadata.Name).Order());
    }

    [Fact]
    public async Task A_silently_dead_watch_is_restarted_within_the_idle_bound()
    {
        var (informer, _, _) = Start();
        await informer.FirstSync.WaitAsync(TimeSpan.FromSeconds(10));
        await Eventually.TrueAsync(() => _server.Faults.OpenWatches > 0, "a watch open");
        var watches = informer.Watches;

        Assert.True(_server.Faults.DropWatches(WatchDropMode.Silent) > 0); // no FIN: only the idle bound notices
        await _api.CreateAsync(ResourceKind.ConfigMaps, "default", Map("later", "x"), default);
        await Eventually.TrueAsync(() => Value(informer, "later") == "x", "the change made while the watch was dead", TimeSpan.FromSeconds(10));
        Assert.True(informer.Watches > watches);
    }

    [Fact]
    public async Task An_aborted_watch_and_failing_requests_are_retried_and_the_store_is_kept_meanwhile()
    {
        await _api.CreateAsync(ResourceKind.ConfigMaps, "default", Map("kept", "1"), default);
        var (informer, _, _) = Start();
        await informer.FirstSync.WaitAsync(TimeSpan.FromSeconds(10));
        await Eventually.TrueAsync(() => _server.Faults.OpenWatches > 0, "a watch open");

        _server.Faults.FailWhen(r => r.Resource == "configmaps" && r.Verb is "watch" or "list", 500, times: 5);
        _server.Faults.DropWatches(WatchDropMode.Abort);
        await Task.Delay(300);
        Assert.Equal("1", Value(informer, "kept")); // the API server's trouble never empties the store

        await _api.MergePatchAsync<V1ConfigMap>(ResourceKind.ConfigMaps, "default", "kept", """{"data":{"v":"2"}}""", default);
        await Eventually.TrueAsync(() => Value(informer, "kept") == "2", "the change after the failures");
    }

    [Fact]
    public async Task Selectors_and_a_namespace_limit_what_is_stored()
    {
        await _api.CreateAsync(ResourceKind.ConfigMaps, "default", Map("wanted", "1"), default);
        await _api.CreateAsync(ResourceKind.ConfigMaps, "default", Map("other", "1"), default);
        await _api.CreateAsync(ResourceKind.ConfigMaps, "kube-system", Map("wanted", "elsewhere", "kube-system"), default);
        var (informer, _, _) = Start("default", new Selectors(Field: "metadata.name=wanted"));
        await informer.FirstSync.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["default/wanted"], informer.Items.Select(m => m.Metadata.NamespaceProperty + "/" + m.Metadata.Name));

        await _api.CreateAsync(ResourceKind.ConfigMaps, "default", Map("third", "1"), default);
        await _api.MergePatchAsync<V1ConfigMap>(ResourceKind.ConfigMaps, "default", "wanted", """{"data":{"v":"2"}}""", default);
        await Eventually.TrueAsync(() => Value(informer, "wanted") == "2", "the selected object's change");
        Assert.Single(informer.Items);
    }
}
