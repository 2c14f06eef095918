using System.Text.Json.Nodes;
using Xunit;

namespace Edge.Testing.Tests.KubeApi;

/// <summary>LIST: selectors, ordering, snapshot pages behind continue tokens, 410 on an expired token.</summary>
public sealed class ListTests : ApiTestBase
{
    private const string ConfigMaps = "/api/v1/namespaces/default/configmaps";

    private static List<string> Names(JsonObject list) => list["items"]!.AsArray().Select(i => (string)i!["metadata"]!["name"]!).ToList();

    [Fact]
    public async Task Label_selectors_support_every_operator()
    {
        await PostAsync(ConfigMaps, ConfigMap("a", labels: new JsonObject { ["app"] = "web", ["tier"] = "front" }));
        await PostAsync(ConfigMaps, ConfigMap("b", labels: new JsonObject { ["app"] = "api" }));
        await PostAsync(ConfigMaps, ConfigMap("c", labels: new JsonObject { ["app"] = "db", ["tier"] = "back" }));

        async Task<List<string>> Select(string selector) => Names((await GetAsync(ConfigMaps + "?labelSelector=" + Uri.EscapeDataString(selector))).Body);
        Assert.Equal(["a"], await Select("app=web"));
        Assert.Equal(["a"], await Select("app==web"));
        Assert.Equal(["b", "c"], await Select("app!=web"));
        Assert.Equal(["a", "b"], await Select("app in (web, api)"));
        Assert.Equal(["c"], await Select("app notin (web,api)"));
        Assert.Equal(["a", "c"], await Select("tier"));
        Assert.Equal(["b"], await Select("!tier"));
        Assert.Equal(["a"], await Select("tier,app!=db"));
        Assert.Equal(400, (await GetAsync(ConfigMaps + "?labelSelector=" + Uri.EscapeDataString("app in web"))).Code);
    }

    [Fact]
    public async Task Field_selectors_on_name_and_namespace_across_namespaces_sorted()
    {
        await PostAsync("/api/v1/namespaces", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "a-b" } });
        await PostAsync(ConfigMaps, ConfigMap("x"));
        await PostAsync("/api/v1/namespaces/a-b/configmaps", ConfigMap("x", "a-b"));
        await PostAsync("/api/v1/namespaces/kube-system/configmaps", ConfigMap("y", "kube-system"));

        var all = (await GetAsync("/api/v1/configmaps")).Body;
        Assert.Equal("ConfigMapList", (string?)all["kind"]);
        Assert.Equal("v1", (string?)all["apiVersion"]);
        Assert.Equal(["a-b/x", "default/x", "kube-system/y"], all["items"]!.AsArray().Select(i => $"{i!["metadata"]!["namespace"]}/{i["metadata"]!["name"]}").ToList());
        Assert.Equal(Api.Objects.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), Rv(all));

        Assert.Equal(2, (await GetAsync("/api/v1/configmaps?fieldSelector=metadata.name%3Dx")).Body["items"]!.AsArray().Count);
        Assert.Single((await GetAsync("/api/v1/configmaps?fieldSelector=metadata.name%3D%3Dx,metadata.namespace%21%3Ddefault")).Body["items"]!.AsArray());
        Assert.Single((await GetAsync("/api/v1/configmaps?fieldSelector=metadata.namespace%3Dkube-system")).Body["items"]!.AsArray());
    }

    [Fact]
    public async Task Pages_come_from_one_snapshot_with_its_resourceVersion()
    {
        foreach (var n in new[] { "a", "b", "c", "d", "e" })
        {
            await PostAsync(ConfigMaps, ConfigMap(n));
        }

        var first = (await GetAsync(ConfigMaps + "?limit=2")).Body;
        Assert.Equal(["a", "b"], Names(first));
        Assert.Equal(3, (int?)first["metadata"]!["remainingItemCount"]);
        var token = (string)first["metadata"]!["continue"]!;
        var snapshotRv = Rv(first);

        await DeleteAsync(ConfigMaps + "/c");
        await PostAsync(ConfigMaps, ConfigMap("f"));

        var second = (await GetAsync(ConfigMaps + "?limit=2&continue=" + Uri.EscapeDataString(token))).Body;
        Assert.Equal(["c", "d"], Names(second));
        Assert.Equal(snapshotRv, Rv(second));
        var third = (await GetAsync(ConfigMaps + "?limit=2&continue=" + Uri.EscapeDataString((string)second["metadata"]!["continue"]!))).Body;
        Assert.Equal(["e"], Names(third));
        Assert.Null(third["metadata"]!["continue"]);
    }

    [Fact]
    public async Task An_expired_continue_token_is_410_with_a_token_for_the_rest()
    {
        foreach (var n in new[] { "a", "b", "c" })
        {
            await PostAsync(ConfigMaps, ConfigMap(n));
        }

        var first = (await GetAsync(ConfigMaps + "?limit=1")).Body;
        await PostAsync(ConfigMaps, ConfigMap("d"));
        Api.Faults.Compact();

        var (code, body) = await GetAsync(ConfigMaps + "?limit=1&continue=" + Uri.EscapeDataString((string)first["metadata"]!["continue"]!));
        Assert.Equal(410, code);
        Assert.Equal("Expired", (string?)body["reason"]);
        Assert.StartsWith("The provided continue parameter is too old", (string?)body["message"]);
        var fresh = (string?)body["metadata"]!["continue"];
        Assert.NotNull(fresh);
        var rest = (await GetAsync(ConfigMaps + "?limit=10&continue=" + Uri.EscapeDataString(fresh))).Body;
        Assert.Equal(["b", "c", "d"], Names(rest));
    }
}
