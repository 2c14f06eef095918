using System.Text.Json.Nodes;
using Xunit;

namespace Edge.Testing.Tests.KubeApi;

/// <summary>Server-side apply over raw HTTP: create, managedFields, conflicts, force, removal of dropped fields.</summary>
public sealed class ApplyTests : ApiTestBase
{
    private const string Path = "/apis/apps/v1/namespaces/default/deployments/web";
    private const string ApplyType = "application/apply-patch+yaml";

    private static string Config(int replicas, string extra = "") => $$$$$"""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default","labels":{"app":"web"{{{{{extra}}}}}}},
         "spec":{"replicas":{{{{{replicas}}}}},"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}
        """;

    [Fact]
    public async Task Apply_creates_then_conflicts_with_another_manager_unless_forced()
    {
        var (code, created) = await PatchAsync(Path + "?fieldManager=alpha", Config(1), ApplyType);
        Assert.Equal(201, code);
        var entry = created["metadata"]!["managedFields"]![0]!;
        Assert.Equal("alpha", (string?)entry["manager"]);
        Assert.Equal("Apply", (string?)entry["operation"]);
        Assert.Equal("FieldsV1", (string?)entry["fieldsType"]);
        Assert.NotNull(entry["fieldsV1"]!["f:spec"]!["f:replicas"]);

        var (same, _) = await PatchAsync(Path + "?fieldManager=beta", Config(1), ApplyType);
        Assert.Equal(200, same);

        var (conflict, body) = await PatchAsync(Path + "?fieldManager=beta", Config(2), ApplyType);
        Assert.Equal(409, conflict);
        Assert.Equal("Conflict", (string?)body["reason"]);
        var cause = body["details"]!["causes"]![0]!;
        Assert.Equal("FieldManagerConflict", (string?)cause["reason"]);
        Assert.Equal("conflict with \"alpha\"", (string?)cause["message"]);
        Assert.Equal(".spec.replicas", (string?)cause["field"]);

        var (forced, after) = await PatchAsync(Path + "?fieldManager=beta&force=true", Config(2), ApplyType);
        Assert.Equal(200, forced);
        Assert.Equal(2, (int?)after["spec"]!["replicas"]);
        Assert.Equal(2, (long?)after["metadata"]!["generation"]);
        var alpha = after["metadata"]!["managedFields"]!.AsArray().Single(m => (string?)m!["manager"] == "alpha")!;
        Assert.Null(alpha["fieldsV1"]!["f:spec"]!["f:replicas"]);
    }

    [Fact]
    public async Task A_field_dropped_from_the_applied_config_is_removed_unless_another_manager_owns_it()
    {
        await PatchAsync(Path + "?fieldManager=alpha", Config(1, ",\"tier\":\"a\",\"team\":\"x\""), ApplyType);
        await PatchAsync(Path + "?fieldManager=kubectl-label", JsonNode.Parse("""{"metadata":{"labels":{"team":"y"}}}""")!);
        var (code, body) = await PatchAsync(Path + "?fieldManager=alpha", Config(1), ApplyType);
        Assert.Equal(200, code);
        var labels = body["metadata"]!["labels"]!.AsObject();
        Assert.False(labels.ContainsKey("tier"));
        Assert.Equal("y", (string?)labels["team"]);
    }

    [Fact]
    public async Task Apply_needs_a_field_manager_and_accepts_yaml()
    {
        Assert.Equal(400, (await PatchAsync(Path, Config(1), ApplyType)).Code);
        const string yaml = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: y
              namespace: default
            data:
              count: "3"
              flag: "true"
            """;
        var (code, body) = await PatchAsync("/api/v1/namespaces/default/configmaps/y?fieldManager=yaml", yaml, ApplyType);
        Assert.Equal(201, code);
        Assert.Equal("3", (string?)body["data"]!["count"]);
    }
}
