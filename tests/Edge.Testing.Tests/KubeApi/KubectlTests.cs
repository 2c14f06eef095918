using System.Text.Json.Nodes;
using Xunit;

namespace Edge.Testing.Tests.KubeApi;

/// <summary>kubectl v1.32.4 as a process against the server (reference §3.1).</summary>
public sealed class KubectlTests : ApiTestBase
{
    private const string DeploymentYaml = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: default
        spec:
          replicas: REPLICAS
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: c
                image: IMAGE
                ports:
                - containerPort: 80
        """;

    private static string Deployment(int replicas, string image) =>
        DeploymentYaml.Replace("REPLICAS", replicas.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal).Replace("IMAGE", image, StringComparison.Ordinal);

    [Fact]
    public async Task Apply_creates_then_changes_a_builtin_with_a_strategic_merge_patch()
    {
        using var kubectl = new Kubectl(Api);
        var file = kubectl.Write("d.yaml", Deployment(1, "nginx:1"));
        Assert.Contains("deployment.apps/web created", await kubectl.RunAsync("apply", "--validate=false", "-f", file));
        kubectl.Write("d.yaml", Deployment(3, "nginx:2"));
        Assert.Contains("deployment.apps/web configured", await kubectl.RunAsync("apply", "--validate=false", "-f", file));

        var stored = Api.Objects.Get("apps/v1", "Deployment", "default", "web")!;
        Assert.Equal(3, (int?)stored["spec"]!["replicas"]);
        Assert.Equal("nginx:2", (string?)stored["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
        Assert.Equal(2, (long?)stored["metadata"]!["generation"]);
        Assert.NotNull(stored["metadata"]!["annotations"]!["kubectl.kubernetes.io/last-applied-configuration"]);
        Assert.Contains(Api.Requests.Snapshot(), r => r.Verb == "patch" && r.ContentType!.StartsWith("application/strategic-merge-patch+json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Apply_a_crd_then_create_and_change_its_kind_with_a_merge_patch()
    {
        using var kubectl = new Kubectl(Api);
        var crd = kubectl.Write("crd.json", WidgetCrd().ToJsonString());
        await kubectl.RunAsync("apply", "--validate=false", "-f", crd);
        var widget = kubectl.Write("w.yaml", "apiVersion: edge.io/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: 1\n");
        Assert.Contains("widget.edge.io/w created", await kubectl.RunAsync("apply", "--validate=false", "-f", widget));
        kubectl.Write("w.yaml", "apiVersion: edge.io/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: 5\n");
        Assert.Contains("widget.edge.io/w configured", await kubectl.RunAsync("apply", "--validate=false", "-f", widget));
        Assert.Equal(5, (int?)Api.Objects.Get("edge.io/v1", "Widget", "default", "w")!["spec"]!["size"]);
        Assert.Contains(Api.Requests.Snapshot(), r => r.Resource == "widgets" && r.Verb == "patch" && r.ContentType!.StartsWith("application/merge-patch+json", StringComparison.Ordinal));
        Assert.Contains("w", await kubectl.RunAsync("get", "wd", "-o", "name"));
    }

    [Fact]
    public async Task Server_side_apply_creates_and_updates()
    {
        using var kubectl = new Kubectl(Api);
        var file = kubectl.Write("d.yaml", Deployment(1, "nginx:1"));
        Assert.Contains("serverside-applied", await kubectl.RunAsync("apply", "--server-side", "--validate=false", "-f", file));
        kubectl.Write("d.yaml", Deployment(4, "nginx:1"));
        await kubectl.RunAsync("apply", "--server-side", "--validate=false", "-f", file);
        var stored = Api.Objects.Get("apps/v1", "Deployment", "default", "web")!;
        Assert.Equal(4, (int?)stored["spec"]!["replicas"]);
        Assert.Equal("kubectl", (string?)stored["metadata"]!["managedFields"]![0]!["manager"]);
    }

    [Fact]
    public async Task Get_json_get_by_label_label_annotate_replace()
    {
        using var kubectl = new Kubectl(Api);
        Api.Objects.Create(ConfigMap("a", labels: new JsonObject { ["app"] = "web" }));
        Api.Objects.Create(ConfigMap("b", labels: new JsonObject { ["app"] = "db" }));

        var json = JsonNode.Parse(await kubectl.RunAsync("get", "configmap", "a", "-o", "json"))!;
        Assert.Equal("a", (string?)json["metadata"]!["name"]);
        var selected = await kubectl.RunAsync("get", "configmaps", "-A", "-l", "app!=db", "-o", "name");
        Assert.Equal("configmap/a", selected.Trim());
        Assert.Contains("NAME", await kubectl.RunAsync("get", "cm"));

        await kubectl.RunAsync("label", "configmap", "a", "tier=front");
        await kubectl.RunAsync("annotate", "configmap", "a", "note=hello");
        var labelled = Api.Objects.Get("v1", "ConfigMap", "default", "a")!;
        Assert.Equal("front", (string?)labelled["metadata"]!["labels"]!["tier"]);
        Assert.Equal("hello", (string?)labelled["metadata"]!["annotations"]!["note"]);

        var current = JsonNode.Parse(await kubectl.RunAsync("get", "configmap", "a", "-o", "json"))!.AsObject();
        current["data"] = new JsonObject { ["k"] = "replaced" };
        var file = kubectl.Write("a.json", current.ToJsonString());
        await kubectl.RunAsync("replace", "--validate=false", "-f", file);
        Assert.Equal("replaced", (string?)Api.Objects.Get("v1", "ConfigMap", "default", "a")!["data"]!["k"]);
        Assert.Contains(Api.Requests.Snapshot(), r => r.Verb == "update" && r.Query.Contains("fieldManager=kubectl-replace", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Delete_waits_for_finalizers()
    {
        using var kubectl = new Kubectl(Api);
        var cm = ConfigMap("held");
        cm["metadata"]!["finalizers"] = new JsonArray("edge.io/hold");
        Api.Objects.Create(cm);
        var delete = kubectl.TryAsync("delete", "configmap", "held", "--timeout=30s");
        await Eventually.TrueAsync(() => Api.Objects.Get("v1", "ConfigMap", "default", "held")?["metadata"]?["deletionTimestamp"] is not null, "kubectl marks it deleting");
        await Task.Delay(500);
        Assert.False(delete.IsCompleted, "kubectl delete must wait for the finalizer");
        var held = Api.Objects.Get("v1", "ConfigMap", "default", "held")!;
        held["metadata"]!.AsObject().Remove("finalizers");
        Api.Objects.Put(held);
        var (exit, stdout, stderr) = await delete.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(exit == 0, stderr);
        Assert.Contains("configmap \"held\" deleted", stdout);
    }

    [Fact]
    public async Task Get_watch_sees_a_change()
    {
        using var kubectl = new Kubectl(Api);
        Api.Objects.Create(ConfigMap("w", data: new JsonObject { ["k"] = "one" }));
        await using var watch = kubectl.Start("get", "configmap", "w", "-w", "-o", "jsonpath={.data.k}{\"\\n\"}");
        await Eventually.TrueAsync(() => watch.Stdout.Contains("one"), "kubectl prints the current value");
        await Eventually.TrueAsync(() => Api.Requests.Snapshot().Any(r => r.Verb == "watch"), "kubectl opens its watch");
        var cm = Api.Objects.Get("v1", "ConfigMap", "default", "w")!;
        cm["data"]!["k"] = "two";
        Api.Objects.Put(cm);
        await Eventually.TrueAsync(() => watch.Stdout.Contains("two"), "kubectl prints the change");
    }

    [Fact]
    public async Task Wait_for_delete_returns_when_the_object_goes()
    {
        using var kubectl = new Kubectl(Api);
        Api.Objects.Create(ConfigMap("gone"));
        var wait = kubectl.TryAsync("wait", "--for=delete", "configmap/gone", "--timeout=30s");
        await Eventually.TrueAsync(() => Api.Requests.Snapshot().Any(r => r.Verb == "watch" && r.Query.Contains("metadata.name%3Dgone", StringComparison.Ordinal)), "kubectl watches the object");
        Assert.False(wait.IsCompleted);
        Api.Objects.Delete("v1", "ConfigMap", "default", "gone");
        var (exit, _, stderr) = await wait.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(exit == 0, stderr);
    }
}
