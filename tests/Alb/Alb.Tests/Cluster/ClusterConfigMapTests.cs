using System.Net;
using System.Text.Json.Nodes;
using System.Web;
using Alb.Tests.Fixtures;
using Edge.Testing.KubeApi;
using k8s;
using k8s.Models;
using Xunit;
using static Alb.Tests.Cluster.ClusterObjects;

namespace Alb.Tests.Cluster;

/// <summary>
/// ConfigMaps that Ingresses name (custom-headers, auth-proxy-set-headers) read from a cluster: served as from files,
/// edits, deletions and late creations applied, read by name and nothing more, and readiness waits for their first list.
/// </summary>
public sealed class ClusterConfigMapTests : IAsyncLifetime
{
    private const string P = "nginx.ingress.kubernetes.io/";
    private ClusterLab _lab = null!;

    private TestApiServer Api => _lab.Api;

    public async Task InitializeAsync()
    {
        _lab = await ClusterLab.StartAsync();
        Api.Objects.Create(Namespace("shared"));
        Api.Objects.Create(Namespace("unrelated"));
        Api.Objects.Create(ConfigMap("alb-config", "default", ("global-allowed-response-headers", "X-Team, X-Frame-Options")));
        Api.Objects.Create(ConfigMap("kube-root-ca.crt", "unrelated", ("ca.crt", "not read by alb")));
        Api.Objects.Create(Ingress("a", "a.example.com", "web"));
    }

    public async Task DisposeAsync() => await _lab.DisposeAsync();

    private Task<AlbInstance> StartAsync(bool waitReady = true) =>
        AlbInstance.StartClusterAsync(_lab.Kubeconfig, "alb-0", waitReady, "--configmap", "default/alb-config");

    private static V1Ingress Headed(string name, string host, params (string Key, string Value)[] annotations) =>
        Ingress(name, host, "web", annotations: annotations.ToDictionary(a => P + a.Key, a => a.Value));

    private void Put(V1ConfigMap map) => Api.Objects.Put(JsonNode.Parse(KubernetesJson.Serialize(map))!.AsObject());

    /// <summary>The status and the X-Team header (null when absent) of GET / on <paramref name="host"/>.</summary>
    private static async Task<(HttpStatusCode Status, string? Team)> GetAsync(AlbInstance alb, string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = host } };
        using var response = await alb.Http.SendAsync(request);
        return (response.StatusCode, response.Headers.TryGetValues("X-Team", out var team) ? string.Join(",", team) : null);
    }

    private static Task WaitForAsync(AlbInstance alb, string host, (HttpStatusCode, string?) answer, string what) =>
        alb.WaitUntilAsync(async () => await GetAsync(alb, host) == answer, TimeSpan.FromSeconds(10), what);

    [Fact]
    public async Task Custom_headers_from_a_configmap_of_the_ingress_namespace_are_served_and_follow_its_edits()
    {
        Api.Objects.Create(ConfigMap("team-headers", "default", ("X-Team", "payments")));
        Api.Objects.Create(Headed("h", "h.example.com", ("custom-headers", "team-headers")));
        await using var alb = await StartAsync();
        Assert.Equal((HttpStatusCode.OK, "payments"), await GetAsync(alb, "h.example.com"));

        Put(ConfigMap("team-headers", "default", ("X-Team", "billing")));
        await WaitForAsync(alb, "h.example.com", (HttpStatusCode.OK, "billing"), "the edited header served");

        Api.Objects.Delete("v1", "ConfigMap", "default", "team-headers");
        await WaitForAsync(alb, "h.example.com", (HttpStatusCode.ServiceUnavailable, null), "the route denied once its ConfigMap is gone (as from files)");
        Assert.Equal((HttpStatusCode.OK, null), await GetAsync(alb, "a.example.com"));
    }

    [Fact]
    public async Task A_configmap_created_after_the_ingress_is_picked_up()
    {
        Api.Objects.Create(Headed("late", "late.example.com", ("custom-headers", "default/late-headers")));
        await using var alb = await StartAsync();
        Assert.Equal((HttpStatusCode.ServiceUnavailable, null), await GetAsync(alb, "late.example.com")); // absent: 503, as from files

        Api.Objects.Create(ConfigMap("late-headers", "default", ("X-Team", "late")));
        await WaitForAsync(alb, "late.example.com", (HttpStatusCode.OK, "late"), "the ConfigMap created after the Ingress served");
    }

    [Fact]
    public async Task A_cross_namespace_reference_obeys_the_same_rule_as_from_files()
    {
        var auth = $"http://127.0.0.1:{_lab.Web.Port}/auth";
        object[] objects =
        [
            ConfigMap("team-headers", "shared", ("X-Team", "shared")),
            ConfigMap("auth-headers", "shared", ("X-Tenant", "blue")),
            ConfigMap("auth-headers", "default", ("X-Tenant", "red")),
            Headed("cross", "cross.example.com", ("custom-headers", "shared/team-headers")),
            Headed("auth-cross", "auth-cross.example.com", ("auth-url", auth), ("auth-proxy-set-headers", "shared/auth-headers")),
            Headed("auth-same", "auth-same.example.com", ("auth-url", auth), ("auth-proxy-set-headers", "auth-headers")),
        ];
        foreach (var obj in objects)
        {
            Api.Objects.Create(JsonNode.Parse(KubernetesJson.Serialize(obj))!.AsObject());
        }

        var files = new ManifestDir();
        files.Write("all.yaml", string.Join("\n---\n", objects
            .Concat([ConfigMap("alb-config", "default", ("global-allowed-response-headers", "X-Team, X-Frame-Options")), Service("web"), Slice("web", _lab.Web.Port)])
            .Select(o => KubernetesYaml.Serialize(o))));
        await using var fromFiles = await AlbInstance.StartAsync(files, "--configmap", "default/alb-config");
        await using var fromCluster = await StartAsync();

        // custom-headers may name another namespace; auth-proxy-set-headers may not without allow-cross-namespace-resources.
        (string Host, HttpStatusCode Status, string? Team)[] expected =
        [
            ("cross.example.com", HttpStatusCode.OK, "shared"),
            ("auth-cross.example.com", HttpStatusCode.ServiceUnavailable, null),
            ("auth-same.example.com", HttpStatusCode.OK, null),
        ];
        foreach (var (host, status, team) in expected)
        {
            Assert.Equal((status, team), await GetAsync(fromFiles, host));
            Assert.Equal((status, team), await GetAsync(fromCluster, host));
        }
    }

    /// <summary>The ConfigMaps alb asked for (get, list, watch) as <c>namespace/name</c>; a request for a whole collection shows as <c>namespace/*</c>.</summary>
    private List<string> ConfigMapsRead() => Api.Requests.Where(r => r.Resource == "configmaps")
        .Select(r => $"{r.Namespace ?? "(all)"}/{r.Name ?? NameSelected(r.Query) ?? "*"}").Distinct().Order(StringComparer.Ordinal).ToList();

    private static string? NameSelected(string query) =>
        HttpUtility.ParseQueryString(query)["fieldSelector"] is { } selector && selector.StartsWith("metadata.name=", StringComparison.Ordinal) && !selector.Contains(',', StringComparison.Ordinal)
            ? selector["metadata.name=".Length..] : null;

    [Fact]
    public async Task Reads_only_the_configmaps_its_ingresses_name()
    {
        Api.Objects.Create(ConfigMap("team-headers", "default", ("X-Team", "payments")));
        Api.Objects.Create(ConfigMap("other", "shared", ("X-Team", "never read")));
        await using var alb = await StartAsync();
        Assert.Equal(["default/alb-config"], ConfigMapsRead()); // nothing references a ConfigMap yet

        Api.Objects.Create(Headed("h", "h.example.com", ("custom-headers", "team-headers")));
        await WaitForAsync(alb, "h.example.com", (HttpStatusCode.OK, "payments"), "the referenced ConfigMap read once an Ingress names it");
        Assert.Equal(["default/alb-config", "default/team-headers"], ConfigMapsRead());
    }

    [Fact]
    public async Task Is_not_ready_before_the_referenced_configmaps_are_listed()
    {
        Api.Objects.Create(ConfigMap("team-headers", "default", ("X-Team", "payments")));
        Api.Objects.Create(Headed("h", "h.example.com", ("custom-headers", "team-headers")));
        Api.Faults.FailWhen(r => r.Resource == "configmaps" && r.Verb == "list" && NameSelected(r.Query) == "team-headers", 500);
        await using var alb = await StartAsync(waitReady: false);
        await Task.Delay(1500);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await alb.Admin.GetAsync("/readyz")).StatusCode);

        Api.Faults.Reset();
        await alb.WaitUntilAsync(async () => (await alb.Admin.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(15), "ready after the list succeeds");
        Assert.Equal((HttpStatusCode.OK, "payments"), await GetAsync(alb, "h.example.com"));
    }
}
