using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Xunit;

namespace Edge.Testing.Tests.KubeApi;

/// <summary>KubernetesClient 21.0.8 typed calls against the server.</summary>
public sealed class ClientTests : ApiTestBase
{
    private static V1ConfigMap Map(string name, string value = "v", Dictionary<string, string>? labels = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Labels = labels },
        Data = new Dictionary<string, string> { ["k"] = value },
    };

    [Fact]
    public async Task Create_get_list_replace_patch_delete()
    {
        using var client = Api.CreateClient();
        var created = await client.CoreV1.CreateNamespacedConfigMapAsync(Map("a", labels: new() { ["app"] = "web" }), "default");
        await client.CoreV1.CreateNamespacedConfigMapAsync(Map("b"), "default");
        Assert.NotNull(created.Metadata.Uid);
        Assert.Equal("v", (await client.CoreV1.ReadNamespacedConfigMapAsync("a", "default")).Data["k"]);

        var list = await client.CoreV1.ListNamespacedConfigMapAsync("default", labelSelector: "app=web");
        Assert.Equal("a", Assert.Single(list.Items).Metadata.Name);
        Assert.Equal(Api.Objects.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), list.Metadata.ResourceVersion);

        created.Data["k"] = "2";
        var replaced = await client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "a", "default");
        Assert.Equal("2", replaced.Data["k"]);

        var patched = await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"k":"3"}}""", V1Patch.PatchType.MergePatch), "a", "default");
        Assert.Equal("3", patched.Data["k"]);
        var jsonPatched = await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""[{"op":"replace","path":"/data/k","value":"4"}]""", V1Patch.PatchType.JsonPatch), "a", "default");
        Assert.Equal("4", jsonPatched.Data["k"]);

        await client.CoreV1.DeleteNamespacedConfigMapAsync("a", "default");
        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ReadNamespacedConfigMapAsync("a", "default"));
        Assert.Equal(HttpStatusCode.NotFound, missing.Response.StatusCode);
    }

    [Fact]
    public async Task A_stale_replace_is_409()
    {
        using var client = Api.CreateClient();
        var first = await client.CoreV1.CreateNamespacedConfigMapAsync(Map("a"), "default");
        var stale = await client.CoreV1.ReadNamespacedConfigMapAsync("a", "default");
        first.Data["k"] = "1";
        await client.CoreV1.ReplaceNamespacedConfigMapAsync(first, "a", "default");
        stale.Data["k"] = "2";
        var conflict = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ReplaceNamespacedConfigMapAsync(stale, "a", "default"));
        Assert.Equal(HttpStatusCode.Conflict, conflict.Response.StatusCode);
        Assert.Contains("the object has been modified", conflict.Response.Content);
    }

    [Fact]
    public async Task Apply_with_field_manager_and_force_then_status_patch()
    {
        using var client = Api.CreateClient();
        var deployment = new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default" },
            Spec = new V1DeploymentSpec
            {
                Replicas = 2,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "i:1" }] },
                },
            },
        };
        var applied = await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(deployment, V1Patch.PatchType.ApplyPatch), "web", "default", fieldManager: "alb-operator", force: true);
        Assert.Equal(2, applied.Spec.Replicas);
        Assert.Equal("alb-operator", Assert.Single(applied.Metadata.ManagedFields).Manager);

        deployment.Spec.Replicas = 3;
        var reapplied = await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(deployment, V1Patch.PatchType.ApplyPatch), "web", "default", fieldManager: "alb-operator", force: true);
        Assert.Equal(2, reapplied.Metadata.Generation);

        var status = await client.AppsV1.PatchNamespacedDeploymentStatusAsync(new V1Patch("""{"status":{"readyReplicas":3,"observedGeneration":2}}""", V1Patch.PatchType.MergePatch), "web", "default");
        Assert.Equal(3, status.Status.ReadyReplicas);
        Assert.Equal(3, status.Spec.Replicas);
        Assert.Equal(2, status.Metadata.Generation);
    }

    [Fact]
    public async Task Custom_objects_through_the_generic_calls()
    {
        using var client = Api.CreateClient();
        Api.Objects.Create(WidgetCrd());
        var body = new Dictionary<string, object>
        {
            ["apiVersion"] = "edge.io/v1",
            ["kind"] = "Widget",
            ["metadata"] = new Dictionary<string, object> { ["name"] = "w" },
            ["spec"] = new Dictionary<string, object> { ["size"] = 3 },
        };
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(body, "edge.io", "v1", "default", "widgets");
        await client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(body, V1Patch.PatchType.ApplyPatch), "edge.io", "v1", "default", "widgets", "w", fieldManager: "op", force: true);
        var stored = Api.Objects.Get("edge.io/v1", "Widget", "default", "w");
        Assert.Equal(3, (int?)stored!["spec"]!["size"]);
        Assert.Equal("op", (string?)stored["metadata"]!["managedFields"]!.AsArray().Last()!["manager"]);
    }
}
