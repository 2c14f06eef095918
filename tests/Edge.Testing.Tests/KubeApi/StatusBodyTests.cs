using System.Text.Json.Nodes;
using Xunit;

namespace Edge.Testing.Tests.KubeApi;

/// <summary>The exact Status bodies of reference §3.4, byte for byte.</summary>
public sealed class StatusBodyTests : ApiTestBase
{
    private const string Ingresses = "/apis/networking.k8s.io/v1/namespaces/default/ingresses";

    [Fact]
    public async Task NotFound_names_the_plural_and_group()
    {
        var (code, body) = await GetAsync(Ingresses + "/web");
        Assert.Equal(404, code);
        Assert.Equal("""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"ingresses.networking.k8s.io \"web\" not found","reason":"NotFound","details":{"name":"web","group":"networking.k8s.io","kind":"ingresses"},"code":404}""", Json(body));
    }

    [Fact]
    public async Task NotFound_in_the_core_group_leaves_the_group_out()
    {
        var (code, body) = await GetAsync("/api/v1/namespaces/default/services/web");
        Assert.Equal(404, code);
        Assert.Equal("""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"services \"web\" not found","reason":"NotFound","details":{"name":"web","kind":"services"},"code":404}""", Json(body));
    }

    [Fact]
    public async Task AlreadyExists_and_Conflict_are_409()
    {
        var (created, first) = await PostAsync(Ingresses, Ingress("web"));
        Assert.Equal(201, created);
        var (code, body) = await PostAsync(Ingresses, Ingress("web"));
        Assert.Equal(409, code);
        Assert.Equal("""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"ingresses.networking.k8s.io \"web\" already exists","reason":"AlreadyExists","details":{"name":"web","group":"networking.k8s.io","kind":"ingresses"},"code":409}""", Json(body));

        var stale = first.DeepClone().AsObject();
        Assert.Equal(200, (await PatchAsync(Ingresses + "/web", new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["a"] = "b" } } })).Code);
        (code, body) = await PutAsync(Ingresses + "/web", stale);
        Assert.Equal(409, code);
        Assert.Equal("""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Operation cannot be fulfilled on ingresses.networking.k8s.io \"web\": the object has been modified; please apply your changes to the latest version and try again","reason":"Conflict","details":{"name":"web","group":"networking.k8s.io","kind":"ingresses"},"code":409}""", Json(body));
    }

    [Fact]
    public async Task Invalid_uses_the_kind_and_lists_causes()
    {
        var (code, body) = await PostAsync(Ingresses, Ingress("web", pathType: null));
        Assert.Equal(422, code);
        Assert.Equal("""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Ingress.networking.k8s.io \"web\" is invalid: spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified","reason":"Invalid","details":{"name":"web","group":"networking.k8s.io","kind":"Ingress","causes":[{"reason":"FieldValueRequired","message":"Required value: pathType must be specified","field":"spec.rules[0].http.paths[0].pathType"}]},"code":422}""", Json(body));
    }

    [Fact]
    public async Task Invalid_collects_every_error()
    {
        var bad = ConfigMap("Bad_Name", labels: new JsonObject { ["ok"] = "-bad-" });
        var (code, body) = await PostAsync("/api/v1/namespaces/default/configmaps", bad);
        Assert.Equal(422, code);
        Assert.StartsWith("ConfigMap \"Bad_Name\" is invalid: [metadata.name: Invalid value: \"Bad_Name\"", (string?)body["message"]);
        Assert.Equal(2, body["details"]!["causes"]!.AsArray().Count);
        Assert.Equal("ConfigMap", (string?)body["details"]!["kind"]);
    }

    [Fact]
    public async Task Missing_namespace_is_404_naming_the_namespace()
    {
        var (code, body) = await PostAsync("/api/v1/namespaces/nope/configmaps", ConfigMap("a", "nope"));
        Assert.Equal(404, code);
        Assert.Equal("namespaces \"nope\" not found", (string?)body["message"]);
        Assert.Equal("namespaces", (string?)body["details"]!["kind"]);
    }

    [Fact]
    public async Task Unsupported_field_selector_is_400()
    {
        var (code, body) = await GetAsync("/api/v1/configmaps?fieldSelector=spec.foo%3Dx");
        Assert.Equal(400, code);
        Assert.Equal("""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"field label not supported: spec.foo","reason":"BadRequest","code":400}""", Json(body));
    }

    [Fact]
    public async Task Delete_without_finalizers_returns_Success_with_uid()
    {
        var (_, created) = await PostAsync("/api/v1/namespaces/default/configmaps", ConfigMap("gone"));
        var (code, body) = await DeleteAsync("/api/v1/namespaces/default/configmaps/gone");
        Assert.Equal(200, code);
        Assert.Equal($$$"""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","details":{"name":"gone","kind":"configmaps","uid":"{{{created["metadata"]!["uid"]}}}"}}""", Json(body));
    }

    [Fact]
    public async Task Strategic_merge_on_a_custom_resource_is_415_and_bad_methods_405()
    {
        await PostAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", WidgetCrd());
        await PostAsync("/apis/edge.io/v1/namespaces/default/widgets", Widget("w"));
        var (code, body) = await PatchAsync("/apis/edge.io/v1/namespaces/default/widgets/w", new JsonObject { ["spec"] = new JsonObject { ["size"] = 2 } }, "application/strategic-merge-patch+json");
        Assert.Equal(415, code);
        Assert.Equal("UnsupportedMediaType", (string?)body["reason"]);

        (code, body) = await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/configmaps", "\u000a\u0002v1", "application/vnd.kubernetes.protobuf");
        Assert.Equal(415, code);
        Assert.Contains("accepted media types include: application/json, application/yaml", (string?)body["message"]);

        (code, body) = await PostAsync("/api/v1/namespaces/default/configmaps/x", ConfigMap("x"));
        Assert.Equal(405, code);
        Assert.Equal("MethodNotAllowed", (string?)body["reason"]);
    }

    [Fact]
    public async Task Discovery_openapi_health_and_unknown_paths()
    {
        Assert.Equal(404, (await GetAsync("/openapi/v2")).Code);
        var (code, body) = await GetAsync("/openapi/v3");
        Assert.Equal(404, code);
        Assert.Equal("Status", (string?)body["kind"]);
        Assert.Equal(404, (await GetAsync("/apis/nope.io/v1/things")).Code);
        Assert.Equal("ok", await Http.GetStringAsync("/healthz"));
        Assert.Equal("ok", await Http.GetStringAsync("/readyz"));
        Assert.Equal("ok", await Http.GetStringAsync("/livez"));
        Assert.Equal("32", (string?)(await GetAsync("/version")).Body["minor"]);
        Assert.Equal("v1", (string?)(await GetAsync("/api")).Body["versions"]![0]);

        var core = (await GetAsync("/api/v1")).Body["resources"]!.AsArray();
        var services = core.Single(r => (string?)r!["name"] == "services")!;
        Assert.Equal("Service", (string?)services["kind"]);
        Assert.Equal("svc", (string?)services["shortNames"]![0]);
        Assert.Contains(core, r => (string?)r!["name"] == "services/status");
        Assert.Contains(core, r => (string?)r!["name"] == "nodes" && (bool?)r["namespaced"] == false);

        var groups = (await GetAsync("/apis")).Body["groups"]!.AsArray().Select(g => (string?)g!["name"]).ToList();
        foreach (var g in new[] { "discovery.k8s.io", "networking.k8s.io", "coordination.k8s.io", "apps", "policy", "rbac.authorization.k8s.io", "admissionregistration.k8s.io", "events.k8s.io", "apiextensions.k8s.io" })
        {
            Assert.Contains(g, groups);
        }

        var apps = (await GetAsync("/apis/apps/v1")).Body;
        Assert.Equal("apps/v1", (string?)apps["groupVersion"]);
        Assert.Contains(apps["resources"]!.AsArray(), r => (string?)r!["name"] == "daemonsets/status");
    }
}
