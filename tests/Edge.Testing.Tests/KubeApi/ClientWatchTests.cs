using k8s;
using k8s.Models;
using Xunit;

namespace Edge.Testing.Tests.KubeApi;

/// <summary>KubernetesClient watches: events, the early bookmark that unblocks the first-line wait, 410s.</summary>
public sealed class ClientWatchTests : ApiTestBase
{
    private static V1ConfigMap Map(string name) => new() { Metadata = new V1ObjectMeta { Name = name }, Data = new Dictionary<string, string> { ["k"] = "v" } };

    private string Current => Api.Objects.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task The_async_watch_yields_events_in_order()
    {
        using var client = Api.CreateClient();
        await client.CoreV1.CreateNamespacedConfigMapAsync(Map("a"), "default");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var seen = new List<string>();
        var watching = Task.Run(async () =>
        {
            await foreach (var (type, cm) in client.CoreV1.WatchListNamespacedConfigMapAsync("default", timeoutSeconds: 30, cancellationToken: cts.Token))
            {
                seen.Add($"{type} {cm.Metadata.Name}");
                if (seen.Count == 3)
                {
                    return;
                }
            }
        });
        await Eventually.TrueAsync(() => seen.Count == 1, "the initial ADDED arrives");
        await client.CoreV1.CreateNamespacedConfigMapAsync(Map("b"), "default");
        await client.CoreV1.DeleteNamespacedConfigMapAsync("a", "default");
        await watching.WaitAsync(cts.Token);
        Assert.Equal(["Added a", "Added b", "Deleted a"], seen);
    }

    [Fact]
    public async Task An_early_bookmark_unblocks_the_first_line_wait_on_a_quiet_collection()
    {
        using var client = Api.CreateClient();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var rv = Current;
        await using var events = client.CoreV1.WatchListNamespacedConfigMapAsync("default", allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: 30, cancellationToken: cts.Token).GetAsyncEnumerator(cts.Token);
        var moved = events.MoveNextAsync().AsTask();
        Assert.Same(moved, await Task.WhenAny(moved, Task.Delay(TimeSpan.FromSeconds(5))));
        Assert.True(await moved);
        Assert.Equal(WatchEventType.Bookmark, events.Current.Item1);
        Assert.Equal(rv, events.Current.Item2.Metadata.ResourceVersion);
        await cts.CancelAsync();
    }

    [Fact]
    public async Task Without_bookmarks_a_quiet_watch_blocks_until_the_first_event()
    {
        using var client = Api.CreateClient();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var events = client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: Current, timeoutSeconds: 30, cancellationToken: cts.Token).GetAsyncEnumerator(cts.Token);
        var moved = events.MoveNextAsync().AsTask();
        await Task.Delay(700);
        Assert.False(moved.IsCompleted);
        await client.CoreV1.CreateNamespacedConfigMapAsync(Map("late"), "default");
        Assert.True(await moved.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal((WatchEventType.Added, "late"), (events.Current.Item1, events.Current.Item2.Metadata.Name));
        await cts.CancelAsync();
    }

    [Fact]
    public async Task A_too_old_version_reaches_onError_as_410_and_the_watch_ends()
    {
        using var client = Api.CreateClient();
        var first = await client.CoreV1.CreateNamespacedConfigMapAsync(Map("a"), "default");
        Api.Faults.SetEventWindow(1);
        await client.CoreV1.CreateNamespacedConfigMapAsync(Map("b"), "default");
        await client.CoreV1.CreateNamespacedConfigMapAsync(Map("c"), "default");
        Assert.Equal(410, await WatchErrorAsync(client, first.Metadata.ResourceVersion));

        Api.Faults.SetEventWindow(10_000);
        var rv = Current;
        await client.CoreV1.CreateNamespacedConfigMapAsync(Map("d"), "default");
        Api.Faults.Compact();
        Assert.Equal(410, await WatchErrorAsync(client, rv));
    }

    [Fact]
    public async Task The_obsolete_list_watch_form_works_too()
    {
        using var client = Api.CreateClient();
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
#pragma warning disable CS0618 // the obsolete form is still what older callers use
        using var response = await client.CoreV1.ListNamespacedConfigMapWithHttpMessagesAsync("default", watch: true, allowWatchBookmarks: true, resourceVersion: Current, timeoutSeconds: 30);
        using var watcher = response.Watch<V1ConfigMap, V1ConfigMapList>((type, cm) =>
        {
            if (type == WatchEventType.Added)
            {
                seen.TrySetResult(cm.Metadata.Name);
            }
        });
#pragma warning restore CS0618
        await client.CoreV1.CreateNamespacedConfigMapAsync(Map("x"), "default");
        Assert.Equal("x", await seen.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private static async Task<int?> WatchErrorAsync(Kubernetes client, string resourceVersion)
    {
        int? code = null;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var count = 0;
        await foreach (var _ in client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: resourceVersion, timeoutSeconds: 30,
            onError: e => code ??= (e as KubernetesException)?.Status?.Code,
            cancellationToken: cts.Token))
        {
            count++;
        }

        Assert.Equal(0, count);
        Assert.False(cts.IsCancellationRequested, "the watch should end by itself after the 410");
        return code;
    }
}
