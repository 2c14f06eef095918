using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Xunit;

namespace Edge.Testing.Tests.KubeApi;

/// <summary>Each fault hook, observed from a client.</summary>
public sealed class FaultTests : ApiTestBase
{
    private const string ConfigMaps = "/api/v1/namespaces/default/configmaps";

    [Fact]
    public async Task Latency_applies_to_its_verb_only()
    {
        Api.Faults.SetLatency("list", TimeSpan.FromMilliseconds(600));
        var watch = Stopwatch.StartNew();
        Assert.Equal(404, (await GetAsync(ConfigMaps + "/x")).Code);
        Assert.True(watch.ElapsedMilliseconds < 500, $"get took {watch.ElapsedMilliseconds} ms");
        watch.Restart();
        Assert.Equal(200, (await GetAsync(ConfigMaps)).Code);
        Assert.True(watch.ElapsedMilliseconds >= 550, $"list took {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task The_nth_matching_request_fails_once_with_500_or_429()
    {
        Api.Faults.FailNth(2, 500, r => r.Verb == "create");
        Assert.Equal(201, (await PostAsync(ConfigMaps, ConfigMap("a"))).Code);
        Assert.Equal(200, (await GetAsync(ConfigMaps)).Code);
        var (code, body) = await PostAsync(ConfigMaps, ConfigMap("b"));
        Assert.Equal(500, code);
        Assert.Equal("InternalError", (string?)body["reason"]);
        Assert.Equal(404, (await GetAsync(ConfigMaps + "/b")).Code);
        Assert.Equal(201, (await PostAsync(ConfigMaps, ConfigMap("b"))).Code);

        Api.Faults.FailWhen(r => r.Method == "GET" && r.Name == "a", 429, times: 2);
        using var response = await Http.GetAsync(ConfigMaps + "/a");
        Assert.Equal(429, (int)response.StatusCode);
        Assert.Equal("1", response.Headers.GetValues("Retry-After").Single());
        Assert.Equal(429, (await GetAsync(ConfigMaps + "/a")).Code);
        Assert.Equal(200, (await GetAsync(ConfigMaps + "/a")).Code);
    }

    [Fact]
    public async Task Paused_writes_wait_until_resumed_while_reads_go_on()
    {
        Api.Faults.PauseWrites();
        var write = PostAsync(ConfigMaps, ConfigMap("p"));
        await Task.Delay(300);
        Assert.False(write.IsCompleted);
        Assert.Equal(404, (await GetAsync(ConfigMaps + "/p")).Code);
        Api.Faults.ResumeWrites();
        Assert.Equal(201, (await write.WaitAsync(TimeSpan.FromSeconds(5))).Code);
    }

    [Fact]
    public async Task A_silently_dropped_watch_gets_nothing_more_and_is_never_closed()
    {
        using var response = await Http.GetAsync(ConfigMaps + "?watch=true&resourceVersion=0", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        await PostAsync(ConfigMaps, ConfigMap("a"));
        Assert.Contains("\"ADDED\"", await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(1, Api.Faults.DropWatches(Edge.Testing.KubeApi.WatchDropMode.Silent));
        await PostAsync(ConfigMaps, ConfigMap("b"));
        var next = reader.ReadLineAsync();
        var finished = await Task.WhenAny(next, Task.Delay(1500));
        Assert.NotSame(next, finished);
    }

    [Fact]
    public async Task An_aborted_watch_is_reset()
    {
        using var response = await Http.GetAsync(ConfigMaps + "?watch=true&allowWatchBookmarks=true", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Contains("BOOKMARK", await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(1, Api.Faults.DropWatches(Edge.Testing.KubeApi.WatchDropMode.Abort, r => r.Resource == "configmaps"));
        var error = await Record.ExceptionAsync(async () =>
        {
            while (await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(5)) is not null)
            {
            }
        });
        Assert.True(error is IOException or HttpRequestException or SocketException, $"expected a reset, got {error?.GetType().Name ?? "a clean end"}");
    }

    [Fact]
    public async Task Compaction_expires_old_versions_and_optionally_open_watches()
    {
        var a = (await PostAsync(ConfigMaps, ConfigMap("a"))).Body;
        await PostAsync(ConfigMaps, ConfigMap("b"));
        using var response = await Http.GetAsync(ConfigMaps + "?watch=true&resourceVersion=" + Rv(a), HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Contains("\"ADDED\"", await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(5)));

        Api.Faults.Compact(expireOpenWatches: true);
        var error = JsonNode.Parse((await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(5)))!)!;
        Assert.Equal("ERROR", (string?)error["type"]);
        Assert.Equal(410, (int?)error["object"]!["code"]);
        Assert.Null(await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(5)));

        using var again = await Http.GetAsync(ConfigMaps + "?watch=true&resourceVersion=" + Rv(a), HttpCompletionOption.ResponseHeadersRead);
        Assert.Contains("\"code\":410", await again.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_restart_drops_watches_refuses_connections_and_keeps_objects_and_versions()
    {
        var a = (await PostAsync(ConfigMaps, ConfigMap("a"))).Body;
        using var response = await Http.GetAsync(ConfigMaps + "?watch=true&resourceVersion=" + Rv(a), HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        var restart = Api.RestartAsync(TimeSpan.FromSeconds(1));
        var ended = await Record.ExceptionAsync(async () =>
        {
            while (await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(5)) is not null)
            {
            }
        });
        Assert.True(ended is null or IOException or HttpRequestException, $"the watch ended with {ended}");

        await Task.Delay(300); // inside the downtime: nothing listens on the port
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            var refused = await Record.ExceptionAsync(() => socket.ConnectAsync(Api.Url.Host, Api.Url.Port));
            Assert.Equal(SocketError.ConnectionRefused, Assert.IsType<SocketException>(refused).SocketErrorCode);
        }

        await restart.WaitAsync(TimeSpan.FromSeconds(15));
        var (code, kept) = await GetAsync(ConfigMaps + "/a");
        Assert.Equal((200, Rv(a)), (code, Rv(kept)));
        var b = (await PostAsync(ConfigMaps, ConfigMap("b"))).Body;
        Assert.True(RvNumber(b) > RvNumber(a), "resourceVersions went backwards across the restart");

        // A watch resumes from a version before the restart and sees what came after it.
        using var resumed = await Http.GetAsync(ConfigMaps + "?watch=true&resourceVersion=" + Rv(a), HttpCompletionOption.ResponseHeadersRead);
        using var resumedReader = new StreamReader(await resumed.Content.ReadAsStreamAsync());
        var line = await resumedReader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Contains("\"ADDED\"", line);
        Assert.Contains("\"name\":\"b\"", line);
    }

    [Fact]
    public async Task The_request_log_records_verb_resource_and_status()
    {
        await PostAsync(ConfigMaps + "?fieldManager=me", ConfigMap("a"));
        await GetAsync("/apis/networking.k8s.io/v1/namespaces/default/ingresses/x");
        var log = Api.Requests.Snapshot();
        var create = log.Single(r => r.Verb == "create");
        Assert.Equal(("POST", "configmaps", "default", 201, "?fieldManager=me"), (create.Method, create.Resource, create.Namespace, create.StatusCode, create.Query));
        var get = log.Single(r => r.Verb == "get");
        Assert.Equal(("networking.k8s.io", "ingresses", "x", 404), (get.Group, get.Resource, get.Name, get.StatusCode));
    }
}
