using System.Text.Json.Nodes;
using Edge.Testing.KubeApi;
using k8s.Models;
using Xunit;

namespace Edge.Kubernetes.Tests;

/// <summary>
/// <see cref="KubeApi"/> drops <c>metadata.managedFields</c> from every object it reads (list, watch, get, and the
/// answers to writes), and an object read and written back leaves the server's managedFields as they were: the
/// native AOT build cannot serialize their untyped <c>fieldsV1</c>, and nothing in Edge reads them.
/// </summary>
public sealed class ManagedFieldsTests : IAsyncLifetime
{
    private TestApiServer _server = null!;

    public async Task InitializeAsync() => _server = await TestApiServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private KubeApi Api() => new(_server.CreateClient()) { UserAgent = "edge-test" };

    private JsonArray StoredManagedFields(string name) =>
        _server.Objects.Get("v1", "ConfigMap", "default", name)!["metadata"]!["managedFields"]!.AsArray();

    [Fact]
    public async Task Objects_read_have_no_managed_fields_and_a_read_object_written_back_keeps_the_servers()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var api = Api();
        var created = await api.CreateAsync(ResourceKind.ConfigMaps, "default", new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = new V1ObjectMeta { Name = "a", NamespaceProperty = "default" },
            Data = new Dictionary<string, string> { ["k"] = "1" },
        }, cts.Token);
        Assert.Null(created.Metadata.ManagedFields);
        var managed = StoredManagedFields("a");
        Assert.NotEmpty(managed); // the server keeps them: the test is about what the client drops

        var page = await api.ListAsync<V1ConfigMap>(ResourceKind.ConfigMaps, "default", Selectors.None, 10, null, cts.Token);
        Assert.Null(Assert.Single(page.Items).Metadata.ManagedFields);

        var read = await api.GetAsync<V1ConfigMap>(ResourceKind.ConfigMaps, "default", "a", cts.Token);
        Assert.NotNull(read);
        Assert.Null(read.Metadata.ManagedFields);

        read.Data["k"] = "2";
        var replaced = await api.ReplaceAsync(ResourceKind.ConfigMaps, "default", "a", read, cts.Token);
        Assert.Null(replaced.Metadata.ManagedFields);
        Assert.Equal("2", _server.Objects.Get("v1", "ConfigMap", "default", "a")!["data"]!["k"]!.GetValue<string>());
        Assert.Equal(
            managed.Select(m => (string?)m!["manager"]).Distinct().Order(),
            StoredManagedFields("a").Select(m => (string?)m!["manager"]).Distinct().Order());

        await foreach (var e in api.WatchAsync<V1ConfigMap>(ResourceKind.ConfigMaps, "default", Selectors.None, page.ResourceVersion, 5, TimeSpan.FromSeconds(5), cts.Token))
        {
            Assert.Equal(WatchEventKind.Modified, e.Type);
            Assert.Equal("2", e.Object.Data["k"]);
            Assert.Null(e.Object.Metadata.ManagedFields);
            break;
        }
    }
}
