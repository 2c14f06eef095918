using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AlbOperator.Core.Desired;
using AlbOperator.Core.Model;
using AlbOperator.Core.Schema;
using Edge.Testing.KubeApi;
using k8s;
using k8s.Models;

namespace AlbOperator.Tests.Fixtures;

/// <summary>
/// A test API server with the Alb CRD installed and a kubeconfig for it, plus what the tests do as a user would
/// (create, patch and delete through HTTP, as "test-user") and what they look at (the store, the request log).
/// </summary>
internal sealed class TestCluster : IAsyncDisposable
{
    public const string UserAgent = "test-user";

    private TestCluster(TestApiServer api, string kubeconfig, ConcurrentDictionary<long, DateTime> answered)
    {
        Api = api;
        Answered = answered;
        Kubeconfig = kubeconfig;
        Http = new HttpClient { BaseAddress = api.Url, Timeout = TimeSpan.FromSeconds(30) };
        Http.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
    }

    public TestApiServer Api { get; }

    public string Kubeconfig { get; }

    public HttpClient Http { get; }

    /// <summary>When each request (by sequence number) was answered; a watch when its stream ended.</summary>
    public ConcurrentDictionary<long, DateTime> Answered { get; }

    public static async Task<TestCluster> StartAsync(bool installCrd = true)
    {
        var answered = new ConcurrentDictionary<long, DateTime>();
        var api = await TestApiServer.StartAsync(new TestApiServerOptions
        {
            BookmarkInterval = TimeSpan.FromSeconds(1),
            OnRequestCompleted = r => answered[r.Sequence] = DateTime.UtcNow,
        });
        var kubeconfig = api.WriteKubeconfig(Path.Combine(Path.GetTempPath(), $"alb-operator-kubeconfig-{Guid.NewGuid():N}"));
        if (installCrd)
        {
            api.Objects.Create(JsonNode.Parse(Crd.RenderJson())!.AsObject());
        }

        return new TestCluster(api, kubeconfig, answered);
    }

    /// <summary>Creates an Alb through the API (a namespace other than the built-in ones is created first).</summary>
    public async Task<AlbResource> CreateAlbAsync(string ns, string name, string specJson = "{}")
    {
        if (Api.Objects.Get("v1", "Namespace", null, ns) is null)
        {
            Api.Objects.Create(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns } });
        }

        var body = $$"""{"apiVersion":"edge.io/v1alpha1","kind":"Alb","metadata":{"name":"{{name}}","namespace":"{{ns}}"},"spec":""" + specJson + "}";
        await SendAsync(HttpMethod.Post, $"/apis/edge.io/v1alpha1/namespaces/{ns}/albs", body, "application/json");
        return Alb(ns, name)!;
    }

    public Task PatchAlbAsync(string ns, string name, string mergePatch) =>
        SendAsync(HttpMethod.Patch, $"/apis/edge.io/v1alpha1/namespaces/{ns}/albs/{name}", mergePatch, "application/merge-patch+json");

    public Task DeleteAlbAsync(string ns, string name) =>
        SendAsync(HttpMethod.Delete, $"/apis/edge.io/v1alpha1/namespaces/{ns}/albs/{name}", null, "application/json");

    /// <summary>The Deployment controller's part: the Deployment's status says every replica is ready and up to date.</summary>
    public Task MakeDeploymentReadyAsync(string ns, string name)
    {
        var deployment = Api.Objects.Get<V1Deployment>(ns, name) ?? throw new InvalidOperationException($"no Deployment {ns}/{name}");
        var replicas = deployment.Spec.Replicas ?? 1;
        var status = $$$"""{"status":{"observedGeneration":{{{deployment.Metadata.Generation}}},"replicas":{{{replicas}}},"updatedReplicas":{{{replicas}}},"readyReplicas":{{{replicas}}},"availableReplicas":{{{replicas}}}}}""";
        return SendAsync(HttpMethod.Patch, $"/apis/apps/v1/namespaces/{ns}/deployments/{name}/status", status, "application/merge-patch+json");
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? body, string contentType)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        var response = await Http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return response;
    }

    public AlbResource? Alb(string ns, string name) =>
        Api.Objects.Get(AlbApi.ApiVersion, AlbApi.Kind, ns, name) is { } json && AlbJson.TryDeserialize(json.ToJsonString(), out var alb, out _) ? alb : null;

    /// <summary>What the operator should create for the Alb as stored now (same image flag as the test processes).</summary>
    public DesiredState Desired(string ns, string name) =>
        DesiredState.For(Alb(ns, name) ?? throw new InvalidOperationException($"no Alb {ns}/{name}"), new DesiredStateOptions { AlbImage = OperatorProcess.AlbImage });

    /// <summary>The stored object with the key of a desired object; null when absent.</summary>
    public JsonObject? Stored(DesiredObject o) => Api.Objects.Get(o.ApiVersion, o.Kind, o.Namespace, o.Name);

    public string? LeaseHolder => Api.Objects.Get<V1Lease>("default", "alb-operator")?.Spec?.HolderIdentity is { Length: > 0 } holder ? holder : null;

    /// <summary>Writes (create, update, patch, delete) with a sequence number above <paramref name="after"/>, optionally of one resource.</summary>
    public IReadOnlyList<RequestInfo> Writes(long after = 0, bool leases = false) =>
        Api.Requests.Where(r => r.IsWrite && r.Sequence > after && (leases || r.Resource != "leases"));

    public long LastSequence => Api.Requests.Snapshot() is { Count: > 0 } all ? all.Max(r => r.Sequence) : 0;

    public static Task EventuallyAsync(Func<bool> condition, TimeSpan timeout, Func<string> what) =>
        EventuallyAsync(() => Task.FromResult(condition()), timeout, what);

    public static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"not within {timeout.TotalSeconds:0} s: {what()}");
            }

            await Task.Delay(100);
        }
    }

    public static string Json(object value) => KubernetesJson.Serialize(value);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Api.DisposeAsync();
        File.Delete(Kubeconfig);
    }
}
