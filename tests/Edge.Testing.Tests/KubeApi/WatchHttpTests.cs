using System.Text.Json.Nodes;
using Xunit;

namespace Edge.Testing.Tests.KubeApi;

/// <summary>WATCH over raw HTTP, line by line: initial burst, replay, 410, selector enter/leave, bookmarks, timeout.</summary>
public sealed class WatchHttpTests : ApiTestBase
{
    private const string ConfigMaps = "/api/v1/namespaces/default/configmaps";

    private async Task<StreamReader> OpenAsync(string query)
    {
        var response = await Http.GetAsync(ConfigMaps + "?watch=true&" + query, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(200, (int)response.StatusCode);
        return new StreamReader(await response.Content.ReadAsStreamAsync());
    }

    private static async Task<JsonObject> NextAsync(StreamReader reader)
    {
        var line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(line);
        return JsonNode.Parse(line)!.AsObject();
    }

    private static string Describe(JsonObject e) => $"{e["type"]} {e["object"]?["metadata"]?["name"]}";

    [Fact]
    public async Task Unset_version_sends_ADDED_for_each_object_then_live_events_in_order()
    {
        await PostAsync(ConfigMaps, ConfigMap("a"));
        await PostAsync(ConfigMaps, ConfigMap("b"));
        using var reader = await OpenAsync("resourceVersion=0");
        Assert.Equal("ADDED a", Describe(await NextAsync(reader)));
        Assert.Equal("ADDED b", Describe(await NextAsync(reader)));
        await PatchAsync(ConfigMaps + "/a", JsonNode.Parse("""{"data":{"k":"2"}}""")!);
        await DeleteAsync(ConfigMaps + "/b");
        var modified = await NextAsync(reader);
        var deleted = await NextAsync(reader);
        Assert.Equal("MODIFIED a", Describe(modified));
        Assert.Equal("DELETED b", Describe(deleted));
        Assert.True(long.Parse(Rv(deleted["object"]!.AsObject()), System.Globalization.CultureInfo.InvariantCulture) > long.Parse(Rv(modified["object"]!.AsObject()), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Api.Objects.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), Rv(deleted["object"]!.AsObject()));
    }

    [Fact]
    public async Task A_version_replays_what_came_after_it()
    {
        var a = (await PostAsync(ConfigMaps, ConfigMap("a"))).Body;
        await PostAsync(ConfigMaps, ConfigMap("b"));
        await PatchAsync(ConfigMaps + "/a", JsonNode.Parse("""{"data":{"k":"2"}}""")!);
        await PostAsync("/api/v1/namespaces/default/secrets", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "s" } });
        using var reader = await OpenAsync("resourceVersion=" + Rv(a));
        Assert.Equal("ADDED b", Describe(await NextAsync(reader)));
        Assert.Equal("MODIFIED a", Describe(await NextAsync(reader)));
    }

    [Fact]
    public async Task A_version_older_than_the_window_gets_one_410_ERROR_event_then_the_end()
    {
        var a = (await PostAsync(ConfigMaps, ConfigMap("a"))).Body;
        Api.Faults.SetEventWindow(2);
        for (var i = 0; i < 3; i++)
        {
            await PatchAsync(ConfigMaps + "/a", JsonNode.Parse($$$"""{"data":{"k":"{{{i}}}"}}""")!);
        }

        using var reader = await OpenAsync("resourceVersion=" + Rv(a));
        var error = await NextAsync(reader);
        Assert.Equal("ERROR", (string?)error["type"]);
        Assert.Equal(410, (int?)error["object"]!["code"]);
        Assert.Equal("Expired", (string?)error["object"]!["reason"]);
        Assert.Matches(@"^too old resource version: \d+ \(\d+\)$", (string?)error["object"]!["message"]);
        Assert.Null(await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Objects_entering_and_leaving_the_selector_are_ADDED_and_DELETED()
    {
        await PostAsync(ConfigMaps, ConfigMap("a", labels: new JsonObject { ["app"] = "x" }));
        using var reader = await OpenAsync("resourceVersion=0&labelSelector=app%3Dweb");
        await PatchAsync(ConfigMaps + "/a", JsonNode.Parse("""{"metadata":{"labels":{"app":"web"}}}""")!);
        await PatchAsync(ConfigMaps + "/a", JsonNode.Parse("""{"data":{"k":"2"}}""")!);
        await PatchAsync(ConfigMaps + "/a", JsonNode.Parse("""{"metadata":{"labels":{"app":"other"}}}""")!);
        Assert.Equal("ADDED a", Describe(await NextAsync(reader)));
        Assert.Equal("MODIFIED a", Describe(await NextAsync(reader)));
        var left = await NextAsync(reader);
        Assert.Equal("DELETED a", Describe(left));
        Assert.Equal("other", (string?)left["object"]!["metadata"]!["labels"]!["app"]);
    }

    [Fact]
    public async Task Bookmarks_come_after_the_replay_periodically_and_before_a_timeout_close()
    {
        await PostAsync(ConfigMaps, ConfigMap("a"));
        var current = Api.Objects.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var reader = await OpenAsync($"resourceVersion={current}&allowWatchBookmarks=true&timeoutSeconds=2");
        var first = await NextAsync(reader);
        Assert.Equal("BOOKMARK", (string?)first["type"]);
        Assert.Equal("""{"kind":"ConfigMap","apiVersion":"v1","metadata":{"resourceVersion":"CUR"}}""".Replace("CUR", current, StringComparison.Ordinal), first["object"]!.ToJsonString());
        var lines = new List<JsonObject>();
        while (await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)) is { } line)
        {
            lines.Add(JsonNode.Parse(line)!.AsObject());
        }

        Assert.True(lines.Count >= 3, $"expected periodic bookmarks and a closing one, got {lines.Count}");
        Assert.All(lines, l => Assert.Equal("BOOKMARK", (string?)l["type"]));
    }

    [Fact]
    public async Task TimeoutSeconds_closes_a_quiet_watch_cleanly()
    {
        using var reader = await OpenAsync("timeoutSeconds=1");
        var started = DateTime.UtcNow;
        Assert.Null(await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5));
        await Eventually.TrueAsync(() => Api.Faults.OpenWatches == 0, "the watch is released");
    }
    [Fact]
    public async Task SendInitialEvents_ends_the_initial_state_with_an_annotated_bookmark()
    {
        await PostAsync(ConfigMaps, ConfigMap("a"));
        using var reader = await OpenAsync("sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true");
        Assert.Equal("ADDED a", Describe(await NextAsync(reader)));
        var end = await NextAsync(reader);
        Assert.Equal("BOOKMARK", (string?)end["type"]);
        Assert.Equal("true", (string?)end["object"]!["metadata"]!["annotations"]!["k8s.io/initial-events-end"]);
    }

    [Fact]
    public async Task A_client_that_disconnects_frees_its_watch()
    {
        var response = await Http.GetAsync(ConfigMaps + "?watch=true&allowWatchBookmarks=true", HttpCompletionOption.ResponseHeadersRead);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Contains("BOOKMARK", await reader.ReadLineAsync());
        Assert.Equal(1, Api.Faults.OpenWatches);
        reader.Dispose();
        response.Dispose();
        await Eventually.TrueAsync(() => Api.Faults.OpenWatches == 0, "the server drops the watch of a gone client");
    }
}
