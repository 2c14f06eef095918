using System.Web;
using Edge.Testing.KubeApi;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Edge.Kubernetes.Tests;

/// <summary>
/// Bookmarks move the informer's resume point: a watch dropped after them resumes from the last bookmark's version,
/// so a quiet kind on a busy server does not fall out of the event window and list again.
/// </summary>
public sealed class InformerBookmarkTests : IAsyncLifetime
{
    private TestApiServer _server = null!;
    private KubeApi _api = null!;
    private readonly CancellationTokenSource _stop = new();

    public async Task InitializeAsync()
    {
        _server = await TestApiServer.StartAsync(new TestApiServerOptions { BookmarkInterval = TimeSpan.FromMilliseconds(200) });
        _api = new KubeApi(_server.CreateClient());
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        _stop.Dispose();
        await _server.DisposeAsync();
    }

    private IReadOnlyList<RequestInfo> ConfigMapWatches() => _server.Requests.Where(r => r.Resource == "configmaps" && r.Verb == "watch");

    private static string? ResourceVersion(RequestInfo request) => HttpUtility.ParseQueryString(request.Query)["resourceVersion"];

    [Fact]
    public async Task A_dropped_watch_resumes_from_the_last_bookmarks_version_not_the_lists()
    {
        await _api.CreateAsync(ResourceKind.ConfigMaps, "default", new V1ConfigMap { ApiVersion = "v1", Kind = "ConfigMap", Metadata = new V1ObjectMeta { Name = "quiet" } }, default);
        var informer = new Informer<V1ConfigMap>(_api, ResourceKind.ConfigMaps, null, null, new InformerOptions { RetryInitial = TimeSpan.FromMilliseconds(50) }, TimeProvider.System, NullLogger.Instance);
        var run = Task.Run(() => informer.RunAsync(_stop.Token));
        await informer.FirstSync.WaitAsync(TimeSpan.FromSeconds(10));
        await Eventually.TrueAsync(() => ConfigMapWatches().Count == 1, "the first watch");
        var listed = ResourceVersion(ConfigMapWatches()[0]);

        // Other kinds change; the ConfigMap watch sees only bookmarks, which carry the server's version. The event
        // window then keeps only the last two changes, so the list's version is too old to resume from.
        _server.Faults.SetEventWindow(2);
        for (var i = 0; i < 5; i++)
        {
            await _api.CreateAsync(ResourceKind.Secrets, "default", new V1Secret { ApiVersion = "v1", Kind = "Secret", Metadata = new V1ObjectMeta { Name = $"busy-{i}" } }, default);
        }

        var bookmarked = _server.Objects.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.NotEqual(listed, bookmarked);
        await Eventually.TrueAsync(() => informer.Version == bookmarked, $"a bookmark at {bookmarked} (the informer is at {informer.Version})", TimeSpan.FromSeconds(5));

        Assert.Equal(1, _server.Faults.DropWatches(WatchDropMode.Abort, r => r.Resource == "configmaps"));
        await Eventually.TrueAsync(() => ConfigMapWatches().Count >= 2, "a second watch");
        Assert.Equal(bookmarked, ResourceVersion(ConfigMapWatches()[1]));

        // Resumed without a 410 or a list, and the watch works.
        await _api.CreateAsync(ResourceKind.ConfigMaps, "default", new V1ConfigMap { ApiVersion = "v1", Kind = "ConfigMap", Metadata = new V1ObjectMeta { Name = "after" } }, default);
        await Eventually.TrueAsync(() => informer.Get("default", "after") is not null, "the change after the resume");
        Assert.Equal(1, informer.Lists);
        Assert.Single(_server.Requests.Where(r => r.Resource == "configmaps" && r.Verb == "list"));
        Assert.False(run.IsCompleted);
    }
}
