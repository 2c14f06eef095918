using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Edge.Kubernetes;

/// <summary>The bounds of an <see cref="Informer{T}"/>.</summary>
public sealed record InformerOptions
{
    /// <summary>Items per list page (<c>limit</c>).</summary>
    public int PageSize { get; init; } = 500;

    /// <summary>The server ends each watch after this long (<c>timeoutSeconds</c>, jittered by up to +10 %); the informer watches again from the last version.</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A watch with no event and no bookmark for this long is taken for dead (a silent TCP loss) and restarted.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>First and largest wait between failed attempts (jittered).</summary>
    public TimeSpan RetryInitial { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan RetryCap { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The largest wait when nothing answered (connection refused or reset, a timeout): the API server is restarting
    /// or unreachable, not overloaded, and the informer should be back within this long of its return. An answer with
    /// an error (429, 5xx) backs off up to <see cref="RetryCap"/>.
    /// </summary>
    public TimeSpan UnreachableRetryCap { get; init; } = TimeSpan.FromSeconds(4);
}

/// <summary>
/// List + watch of one kind into a local store, kept until cancelled: a paged list at one resourceVersion, then a
/// watch from it with bookmarks; a watch the server ends is resumed from the last version seen, a 410 (too old,
/// compacted) lists again, a watch silent for <see cref="InformerOptions.IdleTimeout"/> is restarted, and every
/// failure waits with jittered exponential backoff. The store keeps serving its last state meanwhile: losing the
/// API server never empties it. <see cref="Changed"/> fires after each change (not for bookmarks).
/// </summary>
public sealed partial class Informer<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly KubeApi _api;
    private readonly string? _namespace;
    private readonly Selectors _selectors;
    private readonly InformerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();
    private Dictionary<string, T> _items = new(StringComparer.Ordinal);
    private string _version = "";

    public Informer(KubeApi api, ResourceKind kind, string? ns, Selectors? selectors, InformerOptions? options, TimeProvider time, ILogger logger)
    {
        _api = api;
        Kind = kind;
        _namespace = ns;
        _selectors = selectors ?? Selectors.None;
        _options = options ?? new InformerOptions();
        _time = time;
        _logger = logger;
    }

    public ResourceKind Kind { get; }

    /// <summary>Fires after the store changed (a list that differed, or a watch event).</summary>
    public event Action? Changed;

    /// <summary>Completes after the first full list.</summary>
    public Task FirstSync => _synced.Task;

    public bool Synced => _synced.Task.IsCompleted;

    /// <summary>Full lists made (the first one and each after a 410 or a failure without a version to resume from).</summary>
    public int Lists { get; private set; }

    /// <summary>Watches opened.</summary>
    public int Watches { get; private set; }

    /// <summary>The resourceVersion the store is at.</summary>
    public string Version
    {
        get
        {
            lock (_lock)
            {
                return _version;
            }
        }
    }

    /// <summary>The objects now, in no particular order.</summary>
    public IReadOnlyList<T> Items
    {
        get
        {
            lock (_lock)
            {
                return [.. _items.Values];
            }
        }
    }

    public T? Get(string? ns, string name)
    {
        lock (_lock)
        {
            return _items.GetValueOrDefault(Key(ns, name));
        }
    }

    /// <summary>Lists and watches until <paramref name="ct"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var backoff = new Backoff(_options.RetryInitial, _options.RetryCap);
        var mustList = true;
        while (!ct.IsCancellationRequested)
        {
            var unreachable = false;
            try
            {
                if (mustList)
                {
                    await ListAsync(ct).ConfigureAwait(false);
                    mustList = false;
                }

                if (await WatchAsync(ct).ConfigureAwait(false))
                {
                    backoff.Reset();
                }

                continue; // the server ended the watch: resume from the last version, at once
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (KubeApiException e) when (e.IsGone)
            {
                LogGone(_logger, Kind.ToString(), Version);
                mustList = true;
                if (backoff.Attempts == 0)
                {
                    backoff.Next(); // a first 410 lists again at once; a 410 right after a list waits like any failure
                    continue;
                }
            }
            catch (TimeoutException e)
            {
                LogSilent(_logger, Kind.ToString(), e.Message);
                unreachable = true;
            }
            catch (Exception e) when (e is KubeApiException or HttpRequestException or IOException or System.Text.Json.JsonException)
            {
                LogFailed(_logger, Kind.ToString(), e.Message);
                mustList |= Version.Length == 0;
                unreachable = e is HttpRequestException or IOException;
            }

            try
            {
                await Task.Delay(unreachable ? backoff.Next(_options.UnreachableRetryCap) : backoff.Next(), _time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>
    /// The whole list, page by page at one resourceVersion. The next page is asked for as soon as a page's continue
    /// token is read (before its items are parsed), so the API server writes page N+1 while this parses page N.
    /// </summary>
    private async Task ListAsync(CancellationToken ct)
    {
        var items = new Dictionary<string, T>(StringComparer.Ordinal);
        string version;
        var fetching = _api.ListBytesAsync(Kind, _namespace, _selectors, _options.PageSize, null, ct);
        try
        {
            while (true)
            {
                var json = await fetching.ConfigureAwait(false);
                fetching = null;
                if (ListReader.TryReadContinue(json, out var early) && early is not null)
                {
                    fetching = _api.ListBytesAsync(Kind, _namespace, _selectors, _options.PageSize, early, ct);
                }

                var page = ListReader.Read<T>(json);
                foreach (var item in page.Items)
                {
                    items[Key(item.Metadata.NamespaceProperty, item.Metadata.Name)] = item;
                }

                version = page.ResourceVersion;
                if (page.Continue is null)
                {
                    break;
                }

                fetching ??= _api.ListBytesAsync(Kind, _namespace, _selectors, _options.PageSize, page.Continue, ct);
            }
        }
        finally
        {
            if (fetching is not null)
            {
                // A page failed to parse while the next was on its way: that one is not wanted (nor its failure).
                _ = fetching.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }

        bool changed;
        lock (_lock)
        {
            changed = !SameVersions(_items, items);
            _items = items;
            _version = version;
            Lists++;
        }

        LogListed(_logger, Kind.ToString(), items.Count, version);
        var first = _synced.TrySetResult();
        if (changed || first)
        {
            Changed?.Invoke();
        }
    }

    /// <summary>One watch; true when it delivered at least one line (a healthy connection).</summary>
    private async Task<bool> WatchAsync(CancellationToken ct)
    {
        var timeout = (int)(_options.WatchTimeout.TotalSeconds * (1 + (Random.Shared.NextDouble() / 10)));
        var healthy = false;
        Watches++;
        await foreach (var e in _api.WatchAsync<T>(Kind, _namespace, _selectors, Version, Math.Max(1, timeout), _options.IdleTimeout, ct).ConfigureAwait(false))
        {
            healthy = true;
            var meta = e.Object.Metadata;
            lock (_lock)
            {
                if (meta?.ResourceVersion is { Length: > 0 } version)
                {
                    _version = version;
                }

                if (e.Type == WatchEventKind.Bookmark || meta?.Name is null)
                {
                    continue;
                }

                var key = Key(meta.NamespaceProperty, meta.Name);
                if (e.Type == WatchEventKind.Deleted)
                {
                    _items.Remove(key);
                }
                else
                {
                    _items[key] = e.Object;
                }
            }

            if (e.Type != WatchEventKind.Bookmark)
            {
                Changed?.Invoke();
            }
        }

        return healthy;
    }

    private static bool SameVersions(Dictionary<string, T> before, Dictionary<string, T> after) =>
        before.Count == after.Count && after.All(kv => before.TryGetValue(kv.Key, out var old) && old.Metadata.ResourceVersion == kv.Value.Metadata.ResourceVersion);

    private static string Key(string? ns, string name) => ns is null ? name : $"{ns}/{name}";

    [LoggerMessage(EventId = 900, Level = LogLevel.Debug, Message = "Listed {Kind}: {Count} objects at version {Version}")]
    private static partial void LogListed(ILogger logger, string kind, int count, string version);

    [LoggerMessage(EventId = 901, Level = LogLevel.Information, Message = "Watch of {Kind} at version {Version} is too old (410): listing again")]
    private static partial void LogGone(ILogger logger, string kind, string version);

    [LoggerMessage(EventId = 902, Level = LogLevel.Warning, Message = "Watch of {Kind} restarted: {Reason}")]
    private static partial void LogSilent(ILogger logger, string kind, string reason);

    [LoggerMessage(EventId = 903, Level = LogLevel.Warning, Message = "List/watch of {Kind} failed, retrying: {Reason}")]
    private static partial void LogFailed(ILogger logger, string kind, string reason);
}
