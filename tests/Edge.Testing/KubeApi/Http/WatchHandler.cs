using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Edge.Testing.KubeApi;

/// <summary>
/// A watch stream: one compact JSON event per line, flushed per event. Replays from the requested resourceVersion
/// (or sends the initial ADDED burst), bookmarks right after the replay, periodically and before a clean close when
/// asked, closes after <c>timeoutSeconds</c>, answers a too-old version with one 410 ERROR event, and obeys the
/// drop faults.
/// </summary>
internal sealed class WatchHandler
{
    private readonly ResourceService _service;
    private readonly TestApiServerOptions _options;
    private readonly CancellationToken _stopping;

    public WatchHandler(ResourceService service, TestApiServerOptions options, CancellationToken stopping)
    {
        _service = service;
        _options = options;
        _stopping = stopping;
    }

    public async Task HandleAsync(HttpContext context, Route route, RequestInfo info)
    {
        var type = route.Type!;
        if (!LabelSelector.TryParse(HttpIo.Query(context, "labelSelector"), out var labels, out var error) ||
            !FieldSelector.TryParse(HttpIo.Query(context, "fieldSelector"), type, out var fields, out error))
        {
            throw StatusBodies.BadRequest(error!);
        }

        var rvText = HttpIo.Query(context, "resourceVersion");
        long? from = null;
        var initialEvents = HttpIo.Flag(context, "sendInitialEvents");
        if (!initialEvents && !string.IsNullOrEmpty(rvText) && rvText != "0")
        {
            from = long.TryParse(rvText, NumberStyles.None, CultureInfo.InvariantCulture, out var rv) ? rv
                : throw StatusBodies.BadRequest($"resourceVersion: Invalid value: \"{rvText}\": must be a non-negative integer");
        }

        var bookmarks = HttpIo.Flag(context, "allowWatchBookmarks");
        var timeout = HttpIo.Int(context, "timeoutSeconds") is { } seconds ? TimeSpan.FromSeconds(seconds) : _options.DefaultWatchTimeout;
        var watcher = new Watcher(type, route.Namespace, labels, fields, bookmarks, info) { SendInitialEvents = initialEvents };

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        info.StatusCode = 200;
        try
        {
            _service.Store.Subscribe(watcher, from);
        }
        catch (ApiError expired) when (expired.Code == 410)
        {
            await WriteLineAsync(context, new JsonObject { ["type"] = "ERROR", ["object"] = expired.Status });
            return;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping);
        try
        {
            await StreamAsync(context, watcher, timeout, linked.Token);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            // the client went away or the server is stopping
        }
        finally
        {
            _service.Store.Unsubscribe(watcher);
        }
    }

    private async Task StreamAsync(HttpContext context, Watcher watcher, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var time = _options.TimeProvider;
        var deadline = time.GetUtcNow() + timeout;
        var nextBookmark = time.GetUtcNow() + _options.BookmarkInterval;
        await context.Response.StartAsync(cancellationToken);
        await context.Response.Body.FlushAsync(cancellationToken);
        while (true)
        {
            var closed = await DrainAsync(context, watcher, cancellationToken);
            if (watcher.Dropped.IsCompleted)
            {
                await DropAsync(context, await watcher.Dropped, cancellationToken);
                return;
            }

            if (closed)
            {
                return;
            }

            var now = time.GetUtcNow();
            if (now >= deadline)
            {
                if (watcher.Bookmarks)
                {
                    _service.Store.Bookmark(watcher);
                    await DrainAsync(context, watcher, cancellationToken);
                }

                return;
            }

            if (watcher.Bookmarks && now >= nextBookmark)
            {
                _service.Store.Bookmark(watcher);
                nextBookmark = now + _options.BookmarkInterval;
                continue;
            }

            var wake = watcher.Bookmarks && nextBookmark < deadline ? nextBookmark : deadline;
            using var delay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var readable = watcher.Reader.WaitToReadAsync(delay.Token).AsTask();
            var timer = Task.Delay(wake - now, time, delay.Token);
            await Task.WhenAny(readable, timer, watcher.Dropped);
            await delay.CancelAsync();
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Writes every queued message; true when the stream must end (a CLOSE, or a fault).</summary>
    private static async Task<bool> DrainAsync(HttpContext context, Watcher watcher, CancellationToken cancellationToken)
    {
        while (!watcher.Dropped.IsCompleted && watcher.Reader.TryRead(out var message))
        {
            if (message == WatchMessage.Close)
            {
                return true;
            }

            var line = message.Type switch
            {
                "BOOKMARK" => new JsonObject
                {
                    ["type"] = "BOOKMARK",
                    ["object"] = new JsonObject
                    {
                        ["kind"] = watcher.Type.Kind,
                        ["apiVersion"] = watcher.Type.ApiVersion,
                        ["metadata"] = BookmarkMetadata(message),
                    },
                },
                "ERROR" => new JsonObject { ["type"] = "ERROR", ["object"] = message.Object!.DeepClone() },
                _ => new JsonObject { ["type"] = message.Type, ["object"] = ResourceService.Output(message.Object!, watcher.Type) },
            };
            await WriteLineAsync(context, line, cancellationToken);
        }

        return false;
    }

    private static JsonObject BookmarkMetadata(WatchMessage message)
    {
        var metadata = new JsonObject { ["resourceVersion"] = message.BookmarkVersion.ToString(CultureInfo.InvariantCulture) };
        if (message.InitialEventsEnd)
        {
            metadata["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
        }

        return metadata;
    }

    /// <summary>A silent drop never writes or closes again (no FIN) until the client gives up or the server stops; an abort resets the connection.</summary>
    private static async Task DropAsync(HttpContext context, WatchDropMode mode, CancellationToken cancellationToken)
    {
        if (mode == WatchDropMode.Silent)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // fall through to the abort: a dropped stream never ends cleanly
            }
        }

        context.Abort();
    }

    private static async Task WriteLineAsync(HttpContext context, JsonObject line, CancellationToken cancellationToken = default)
    {
        await context.Response.WriteAsync(line.ToJsonString(HttpIo.Compact) + "\n", cancellationToken);
        await context.Response.Body.FlushAsync(cancellationToken);
    }
}
