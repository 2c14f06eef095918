using System.Text.Json.Nodes;
using Xunit;

namespace Edge.Testing.Tests.KubeApi;

/// <summary>Write semantics over raw HTTP: status subresource, generation, PUT rules, patches, finalizers, GC, dry run, CRDs.</summary>
public sealed class WriteRuleTests : ApiTestBase
{
    private const string Deployments = "/apis/apps/v1/namespaces/default/deployments";
    private const string ConfigMaps = "/api/v1/namespaces/default/configmaps";

    private static JsonObject Deployment(string name, int replicas) => (JsonObject)JsonNode.Parse($$$$"""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"{{{{name}}}}","namespace":"default"},
         "spec":{"replicas":{{{{replicas}}}},"selector":{"matchLabels":{"app":"x"}},
                 "template":{"metadata":{"labels":{"app":"x"}},"spec":{"containers":[{"name":"c","image":"i:1","ports":[{"containerPort":80}]},{"name":"d","image":"j:1"}]}}},
         "status":{"replicas":99}}
        """)!;

    [Fact]
    public async Task Create_sets_server_fields_and_drops_status()
    {
        var (code, body) = await PostAsync(Deployments, Deployment("web", 1));
        Assert.Equal(201, code);
        var metadata = body["metadata"]!;
        Assert.Equal(1, (long?)metadata["generation"]);
        Assert.Matches("^[0-9a-f-]{36}$", (string?)metadata["uid"]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", (string?)metadata["creationTimestamp"]);
        Assert.Null(body["status"]);
        Assert.Equal("Update", (string?)metadata["managedFields"]![0]!["operation"]);

        var generated = (await PostAsync(ConfigMaps, new JsonObject { ["metadata"] = new JsonObject { ["generateName"] = "gen-" } })).Body;
        Assert.Matches("^gen-[a-z0-9]{5}$", (string?)generated["metadata"]!["name"]);
        Assert.Equal(400, (await PostAsync(ConfigMaps, ConfigMap("x", "kube-system"))).Code);
    }

    [Fact]
    public async Task Main_resource_ignores_status_and_status_changes_only_status()
    {
        var created = (await PostAsync(Deployments, Deployment("web", 1))).Body;
        var update = created.DeepClone().AsObject();
        update["spec"]!["replicas"] = 3;
        update["status"] = new JsonObject { ["replicas"] = 5 };
        var updated = (await PutAsync(Deployments + "/web", update)).Body;
        Assert.Equal(3, (int?)updated["spec"]!["replicas"]);
        Assert.Null(updated["status"]);
        Assert.Equal(2, (long?)updated["metadata"]!["generation"]);

        var statusBody = updated.DeepClone().AsObject();
        statusBody["spec"]!["replicas"] = 7;
        statusBody["status"] = new JsonObject { ["replicas"] = 3, ["observedGeneration"] = 2 };
        var afterStatus = (await PutAsync(Deployments + "/web/status", statusBody)).Body;
        Assert.Equal(3, (int?)afterStatus["spec"]!["replicas"]);
        Assert.Equal(3, (int?)afterStatus["status"]!["replicas"]);
        Assert.Equal(2, (long?)afterStatus["metadata"]!["generation"]);
        Assert.True(RvNumber(afterStatus) > RvNumber(updated));

        var stale = await PatchAsync(Deployments + "/web/status", JsonNode.Parse($$$"""{"metadata":{"resourceVersion":"{{{Rv(updated)}}}"},"status":{"replicas":4}}""")!);
        Assert.Equal(409, stale.Code);

        var labelled = (await PatchAsync(Deployments + "/web", JsonNode.Parse("""{"metadata":{"labels":{"a":"b"}}}""")!)).Body;
        Assert.Equal(2, (long?)labelled["metadata"]!["generation"]);
        var noop = (await PatchAsync(Deployments + "/web", JsonNode.Parse("""{"metadata":{"labels":{"a":"b"}}}""")!)).Body;
        Assert.Equal(Rv(labelled), Rv(noop));
    }

    [Fact]
    public async Task Put_without_resourceVersion_is_unconditional_for_builtins_and_422_for_custom_resources()
    {
        await PostAsync(ConfigMaps, ConfigMap("c"));
        var body = ConfigMap("c", data: new JsonObject { ["k"] = "2" });
        var (code, updated) = await PutAsync(ConfigMaps + "/c", body);
        Assert.Equal(200, code);
        Assert.Equal("2", (string?)updated["data"]!["k"]);
        Assert.Equal(404, (await PutAsync(ConfigMaps + "/missing", ConfigMap("missing"))).Code);
        Assert.Equal(400, (await PutAsync(ConfigMaps + "/c", ConfigMap("other"))).Code);

        await PostAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", WidgetCrd());
        await PostAsync("/apis/edge.io/v1/namespaces/default/widgets", Widget("w"));
        var (crCode, crBody) = await PutAsync("/apis/edge.io/v1/namespaces/default/widgets/w", Widget("w", 2));
        Assert.Equal(422, crCode);
        Assert.Equal("Widget.edge.io \"w\" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update", (string?)crBody["message"]);
    }

    [Fact]
    public async Task Json_patch_applies_with_test_and_fails_a_failed_test_with_422()
    {
        await PostAsync(ConfigMaps, ConfigMap("j"));
        var ok = await PatchAsync(ConfigMaps + "/j", JsonNode.Parse("""[{"op":"test","path":"/data/k","value":"v"},{"op":"add","path":"/data/n~1m","value":"1"},{"op":"remove","path":"/data/k"}]""")!, "application/json-patch+json");
        Assert.Equal(200, ok.Code);
        Assert.Equal("""{"n/m":"1"}""", ok.Body["data"]!.ToJsonString());
        var failed = await PatchAsync(ConfigMaps + "/j", JsonNode.Parse("""[{"op":"test","path":"/data/n~1m","value":"2"},{"op":"remove","path":"/data"}]""")!, "application/json-patch+json");
        Assert.Equal(422, failed.Code);
        Assert.Equal(404, (await PatchAsync(ConfigMaps + "/none", new JsonObject())).Code);
    }

    [Fact]
    public async Task Strategic_merge_merges_containers_by_name_and_honours_directives()
    {
        await PostAsync(Deployments, Deployment("s", 1));
        var patch = JsonNode.Parse("""
            {"metadata":{"finalizers":["a"]},
             "spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"c"},{"name":"d"}],
               "containers":[{"name":"c","image":"i:2","env":[{"name":"E","value":"1"}]},{"name":"d","$patch":"delete"},{"name":"e","image":"k:1"}]}}}}
            """)!;
        var (code, body) = await PatchAsync(Deployments + "/s", patch, "application/strategic-merge-patch+json");
        Assert.Equal(200, code);
        var containers = body["spec"]!["template"]!["spec"]!["containers"]!.AsArray();
        Assert.Equal(["c", "e"], containers.Select(c => (string)c!["name"]!).ToList());
        Assert.Equal("i:2", (string?)containers[0]!["image"]);
        Assert.Equal(80, (int?)containers[0]!["ports"]![0]!["containerPort"]);
        Assert.Null(body["spec"]!["template"]!["spec"]!["$setElementOrder/containers"]);
        var second = await PatchAsync(Deployments + "/s", JsonNode.Parse("""{"metadata":{"finalizers":["b"]}}""")!, "application/strategic-merge-patch+json");
        Assert.Equal(["a", "b"], second.Body["metadata"]!["finalizers"]!.AsArray().Select(f => (string)f!).ToList());
    }

    [Fact]
    public async Task Finalizers_hold_deletion_until_emptied()
    {
        var cm = ConfigMap("f");
        cm["metadata"]!["finalizers"] = new JsonArray("edge.io/hold");
        await PostAsync(ConfigMaps, cm);
        var (code, deleting) = await DeleteAsync(ConfigMaps + "/f", new JsonObject { ["propagationPolicy"] = "Background" });
        Assert.Equal(200, code);
        Assert.NotNull(deleting["metadata"]!["deletionTimestamp"]);
        Assert.Equal(0, (int?)deleting["metadata"]!["deletionGracePeriodSeconds"]);
        var again = await DeleteAsync(ConfigMaps + "/f");
        Assert.Equal(Rv(deleting), Rv(again.Body));

        var added = await PatchAsync(ConfigMaps + "/f", JsonNode.Parse("""{"metadata":{"finalizers":["edge.io/hold","edge.io/new"]}}""")!);
        Assert.Equal(422, added.Code);
        Assert.Contains("no new finalizers can be added if the object is being deleted", (string?)added.Body["message"]);
        var data = await PatchAsync(ConfigMaps + "/f", JsonNode.Parse("""{"data":{"k":"changed"}}""")!);
        Assert.Equal(200, data.Code);

        var released = await PatchAsync(ConfigMaps + "/f", JsonNode.Parse("""{"metadata":{"finalizers":null}}""")!);
        Assert.Equal(200, released.Code);
        Assert.Equal(404, (await GetAsync(ConfigMaps + "/f")).Code);
    }

    [Fact]
    public async Task Owner_references_are_collected_unless_orphaned()
    {
        var owner = (await PostAsync(ConfigMaps, ConfigMap("owner"))).Body;
        var other = (await PostAsync(ConfigMaps, ConfigMap("other"))).Body;
        JsonObject Owned(string name, params JsonObject[] owners)
        {
            var cm = ConfigMap(name);
            cm["metadata"]!["ownerReferences"] = new JsonArray(owners.Select(o => (JsonNode)new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["name"] = (string?)o["metadata"]!["name"], ["uid"] = (string?)o["metadata"]!["uid"] }).ToArray());
            return cm;
        }

        await PostAsync(ConfigMaps, Owned("child", owner));
        await PostAsync(ConfigMaps, Owned("shared", owner, other));
        await PostAsync(ConfigMaps, Owned("orphan", other));
        await DeleteAsync(ConfigMaps + "/owner", new JsonObject { ["propagationPolicy"] = "Foreground" });
        Assert.Equal(404, (await GetAsync(ConfigMaps + "/child")).Code);
        var shared = (await GetAsync(ConfigMaps + "/shared")).Body;
        Assert.Single(shared["metadata"]!["ownerReferences"]!.AsArray());

        await DeleteAsync(ConfigMaps + "/other?propagationPolicy=Orphan");
        Assert.Equal(200, (await GetAsync(ConfigMaps + "/orphan")).Code);
    }

    [Fact]
    public async Task Dry_run_validates_but_stores_nothing()
    {
        var before = Api.Objects.ResourceVersion;
        var (code, body) = await PostAsync(ConfigMaps + "?dryRun=All", ConfigMap("dry"));
        Assert.Equal(201, code);
        Assert.Equal("dry", (string?)body["metadata"]!["name"]);
        Assert.Equal(404, (await GetAsync(ConfigMaps + "/dry")).Code);
        Assert.Equal(422, (await PostAsync(ConfigMaps + "?dryRun=All", ConfigMap("Dry"))).Code);
        await PostAsync(ConfigMaps, ConfigMap("real"));
        await DeleteAsync(ConfigMaps + "/real?dryRun=All");
        Assert.Equal(200, (await GetAsync(ConfigMaps + "/real")).Code);
        Assert.Equal(before + 1, Api.Objects.ResourceVersion);
    }

    [Fact]
    public async Task A_crd_registers_its_versions_at_once_and_deleting_it_deletes_instances()
    {
        Assert.Equal(404, (await GetAsync("/apis/edge.io/v1/namespaces/default/widgets")).Code);
        var crd = (await PostAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", WidgetCrd())).Body;
        Assert.Equal("Established", (string?)crd["status"]!["conditions"]![1]!["type"]);
        var group = (await GetAsync("/apis")).Body["groups"]!.AsArray().Single(g => (string?)g!["name"] == "edge.io")!;
        Assert.Equal("edge.io/v1", (string?)group["preferredVersion"]!["groupVersion"]);
        var resources = (await GetAsync("/apis/edge.io/v1")).Body["resources"]!.AsArray();
        Assert.Contains(resources, r => (string?)r!["name"] == "widgets" && (string?)r["shortNames"]![0] == "wd");
        Assert.Contains(resources, r => (string?)r!["name"] == "widgets/status");

        Assert.Equal(201, (await PostAsync("/apis/edge.io/v1/namespaces/default/widgets", Widget("w"))).Code);
        var beta = (await GetAsync("/apis/edge.io/v1beta1/namespaces/default/widgets/w")).Body;
        Assert.Equal("edge.io/v1beta1", (string?)beta["apiVersion"]);
        Assert.Equal(200, (await DeleteAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.edge.io")).Code);
        Assert.Equal(404, (await GetAsync("/apis/edge.io/v1/namespaces/default/widgets/w")).Code);
        Assert.DoesNotContain(Api.Objects.Resources, r => r.Group == "edge.io");
    }

    [Fact]
    public async Task MicroTime_and_client_strings_round_trip_unchanged()
    {
        var lease = JsonNode.Parse("""
            {"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"l","namespace":"default"},
             "spec":{"holderIdentity":"a","leaseDurationSeconds":15,"acquireTime":"2025-01-02T03:04:05.123456Z","renewTime":"2025-01-02T03:04:06.000001Z"}}
            """)!.AsObject();
        await PostAsync("/apis/coordination.k8s.io/v1/namespaces/default/leases", lease);
        var stored = (await GetAsync("/apis/coordination.k8s.io/v1/namespaces/default/leases/l")).Body;
        Assert.Equal("2025-01-02T03:04:05.123456Z", (string?)stored["spec"]!["acquireTime"]);
        Assert.Equal("2025-01-02T03:04:06.000001Z", (string?)stored["spec"]!["renewTime"]);

        lease["metadata"]!["name"] = "bad";
        lease["spec"]!["leaseDurationSeconds"] = 0;
        var bad = await PostAsync("/apis/coordination.k8s.io/v1/namespaces/default/leases", lease);
        Assert.Equal(422, bad.Code);
        Assert.Equal("spec.leaseDurationSeconds", (string?)bad.Body["details"]!["causes"]![0]!["field"]);
    }
    [Fact]
    public async Task Rbac_names_are_path_segments_not_subdomains()
    {
        // The API server checks RBAC names with ValidateRBACName (a path segment): system:controller:x is a name.
        JsonObject Role(string name) => JsonNode.Parse($$"""{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"{{name}}"},"rules":[]}""")!.AsObject();

        Assert.Equal(201, (await PostAsync("/apis/rbac.authorization.k8s.io/v1/clusterroles", Role("edge.io:alb:NS:Name"))).Code);
        var bad = await PostAsync("/apis/rbac.authorization.k8s.io/v1/clusterroles", Role(".."));
        Assert.Equal(422, bad.Code);
        Assert.Equal("metadata.name", (string?)bad.Body["details"]!["causes"]![0]!["field"]);
        Assert.Equal(422, (await PostAsync("/apis/rbac.authorization.k8s.io/v1/clusterroles", Role("a%2Fb"))).Code);
    }

    [Fact]
    public async Task Deletecollection_and_namespace_deletion_remove_what_they_name()
    {
        await PostAsync("/api/v1/namespaces", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "team" } });
        await PostAsync("/api/v1/namespaces/team/configmaps", ConfigMap("a", "team", labels: new JsonObject { ["app"] = "x" }));
        await PostAsync("/api/v1/namespaces/team/configmaps", ConfigMap("b", "team"));
        await PostAsync("/api/v1/namespaces/team/secrets", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "s" } });

        var (code, deleted) = await DeleteAsync("/api/v1/namespaces/team/configmaps?labelSelector=app%3Dx");
        Assert.Equal(200, code);
        Assert.Equal("a", (string?)Assert.Single(deleted["items"]!.AsArray())!["metadata"]!["name"]);
        Assert.Equal(200, (await GetAsync("/api/v1/namespaces/team/configmaps/b")).Code);

        Assert.Equal(200, (await DeleteAsync("/api/v1/namespaces/team")).Code);
        Assert.Equal(404, (await GetAsync("/api/v1/namespaces/team/configmaps/b")).Code);
        Assert.Equal(404, (await GetAsync("/api/v1/namespaces/team/secrets/s")).Code);
        Assert.Equal(404, (await GetAsync("/api/v1/namespaces/team")).Code);
    }
}
