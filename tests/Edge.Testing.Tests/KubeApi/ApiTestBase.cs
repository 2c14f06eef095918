using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Edge.Testing.KubeApi;
using Xunit;

namespace Edge.Testing.Tests.KubeApi;

/// <summary>A fresh server per test class instance (xunit makes one per test), plus raw HTTP helpers.</summary>
public abstract class ApiTestBase : IAsyncLifetime
{
    private TestApiServer? _api;
    private HttpClient? _http;

    protected virtual TestApiServerOptions Options => new() { BookmarkInterval = TimeSpan.FromMilliseconds(300) };

    protected TestApiServer Api => _api!;

    protected HttpClient Http => _http!;

    public async Task InitializeAsync()
    {
        _api = await TestApiServer.StartAsync(Options);
        _http = new HttpClient { BaseAddress = _api.Url, Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }
    }

    protected async Task<(int Code, JsonObject Body)> SendAsync(HttpMethod method, string path, object? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            var text = body is string s ? s : ((JsonNode)body).ToJsonString();
            request.Content = new StringContent(text, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        using var response = await Http.SendAsync(request);
        var content = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, JsonNode.Parse(content.Length == 0 ? "{}" : content) as JsonObject ?? new JsonObject());
    }

    protected Task<(int Code, JsonObject Body)> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    protected Task<(int Code, JsonObject Body)> PostAsync(string path, JsonObject body) => SendAsync(HttpMethod.Post, path, body);

    protected Task<(int Code, JsonObject Body)> PutAsync(string path, JsonObject body) => SendAsync(HttpMethod.Put, path, body);

    protected Task<(int Code, JsonObject Body)> PatchAsync(string path, object body, string contentType = "application/merge-patch+json") =>
        SendAsync(HttpMethod.Patch, path, body, contentType);

    protected Task<(int Code, JsonObject Body)> DeleteAsync(string path, JsonObject? body = null) => SendAsync(HttpMethod.Delete, path, body);

    protected static JsonObject ConfigMap(string name, string ns = "default", JsonObject? labels = null, JsonObject? data = null) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["labels"] = labels ?? new JsonObject() },
        ["data"] = data ?? new JsonObject { ["k"] = "v" },
    };

    protected static JsonObject Ingress(string name, string? pathType = "Prefix") => (JsonObject)JsonNode.Parse($$$$$"""
        {"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"{{{{{name}}}}}","namespace":"default"},
         "spec":{"rules":[{"host":"a.example","http":{"paths":[{"path":"/","{{{{{(pathType is null ? "x" : "pathType")}}}}}":"{{{{{pathType ?? "y"}}}}}","backend":{"service":{"name":"web","port":{"number":80}}}}]}}]}}
        """)!;

    /// <summary>A namespaced CRD with a status subresource: widgets.edge.io, versions v1 (storage) and v1beta1.</summary>
    protected static JsonObject WidgetCrd() => (JsonObject)JsonNode.Parse("""
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"widgets.edge.io"},
         "spec":{"group":"edge.io","scope":"Namespaced",
                 "names":{"plural":"widgets","singular":"widget","kind":"Widget","shortNames":["wd"]},
                 "versions":[{"name":"v1","served":true,"storage":true,"subresources":{"status":{}},"schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}},
                             {"name":"v1beta1","served":true,"storage":false,"schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}
        """)!;

    protected static JsonObject Widget(string name, int size = 1) => (JsonObject)JsonNode.Parse($$$$"""
        {"apiVersion":"edge.io/v1","kind":"Widget","metadata":{"name":"{{{{name}}}}","namespace":"default"},"spec":{"size":{{{{size}}}}}}
        """)!;

    /// <summary>Compact JSON with quotes written as the API server writes them (<c>\"</c>).</summary>
    protected static string Json(JsonNode node) =>
        node.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    protected static string Rv(JsonObject obj) => (string?)obj["metadata"]?["resourceVersion"] ?? "";

    protected static long RvNumber(JsonObject obj) => long.Parse(Rv(obj), System.Globalization.CultureInfo.InvariantCulture);
}
