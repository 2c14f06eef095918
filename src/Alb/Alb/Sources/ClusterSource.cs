using Alb.Cli;
using Alb.Core.Cluster;
using Alb.Core.Snapshot;
using Alb.Core.Translation;
using Edge.Kubernetes;
using k8s;
using k8s.Models;

namespace Alb.Sources;

/// <summary>
/// A live cluster as alb's source: informers for IngressClasses, Ingresses, Services, EndpointSlices, the ConfigMap,
/// Secrets of only the namespaces our Ingresses reference (<see cref="SecretScope"/>), and only the ConfigMaps our
/// Ingresses name (<see cref="ConfigMapScope"/>, one informer per name). Nothing is published before every informer's
/// first full list; then changes are coalesced (100 ms hold-off, at most 1 s) into one snapshot → translate → publish,
/// the same path the manifest directory takes, on the <see cref="RebuildThread"/>. While the API server is away the
/// informers keep their last state, so alb keeps serving the last good table.
/// </summary>
internal sealed partial class ClusterSource : BackgroundService
{
    /// <summary>How long a rebuild waits for the Secrets or ConfigMaps our Ingresses just started to reference.</summary>
    public static readonly TimeSpan ScopeSyncWait = TimeSpan.FromSeconds(10);

    private readonly KubeApi _api;
    private readonly ClusterOptions _cluster;
    private readonly TranslationOptions _options;
    private readonly Publication _publication;
    private readonly RebuildThread _rebuilds;
    private readonly ListMemo<V1Ingress, (string[] Secrets, string[] ConfigMaps)> _scopes = new(); // on the rebuild thread only
    private IReadOnlyList<V1IngressClass>? _scopeClasses;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly Coalescer _changes;
    private readonly TranslationCache _cache = new();
    private readonly ScopedInformers<V1Secret> _secrets;
    private readonly ScopedInformers<V1ConfigMap> _referencedConfigMaps;
    private readonly string? _globalConfigMap; // namespace/name of --configmap, which has its own informer
    private readonly List<Task> _running = [];
    private Informer<V1IngressClass> _classes = null!;
    private Informer<V1Ingress> _ingresses = null!;
    private Informer<V1Service> _services = null!;
    private Informer<V1EndpointSlice> _slices = null!;
    private Informer<V1ConfigMap>? _configMap;
    private readonly TaskCompletionSource _firstPublish = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ClusterSource(KubeApi api, ClusterOptions cluster, TranslationOptions options, Publication publication, RebuildThread rebuilds, TimeProvider time, ILoggerFactory loggers)
    {
        _rebuilds = rebuilds;
        _api = api;
        _cluster = cluster;
        _options = options;
        _publication = publication;
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger<ClusterSource>();
        _changes = Coalescer.Default(time);
        if (options.ConfigMap is { } global)
        {
            var (globalNs, globalName) = ObjectNames.SplitRef(global);
            _globalConfigMap = ClusterSnapshot.Key(globalNs, globalName);
        }

        _secrets = new(api, ResourceKind.Secrets, ns => (ns, null), _changes.Signal, time, loggers.CreateLogger("Alb.Cluster.Secrets"));
        _referencedConfigMaps = new(api, ResourceKind.ConfigMaps, ByName, _changes.Signal, time, loggers.CreateLogger("Alb.Cluster.ConfigMaps"));
    }

    /// <summary>The Ingresses and IngressClasses now (empty before the informers start).</summary>
    public IReadOnlyList<V1Ingress> Ingresses => _ingresses?.Items ?? [];

    public IReadOnlyList<V1IngressClass> IngressClasses => _classes?.Items ?? [];

    /// <summary>Completes once the first snapshot was published.</summary>
    public Task FirstPublish => _firstPublish.Task;

    public V1Ingress? FindIngress(string ns, string name) => _ingresses?.Get(ns, name);

    /// <summary>Full syncs published (the first and each rebuild after a change).</summary>
    public int Rebuilds { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var ns = _cluster.WatchNamespace;
        _classes = Start<V1IngressClass>(ResourceKind.IngressClasses, null, null, stoppingToken);
        _ingresses = Start<V1Ingress>(ResourceKind.Ingresses, ns, null, stoppingToken);
        _services = Start<V1Service>(ResourceKind.Services, ns, null, stoppingToken);
        _slices = Start<V1EndpointSlice>(ResourceKind.EndpointSlices, ns, null, stoppingToken);
        if (_options.ConfigMap is { } configMap)
        {
            var (configNs, configName) = ObjectNames.SplitRef(configMap);
            _configMap = Start<V1ConfigMap>(ResourceKind.ConfigMaps, configNs, new Selectors(Field: $"metadata.name={configName}"), stoppingToken);
        }

        try
        {
            await Task.WhenAll(new[] { _classes.FirstSync, _ingresses.FirstSync, _services.FirstSync, _slices.FirstSync, _configMap?.FirstSync ?? Task.CompletedTask }
                .Select(t => t.WaitAsync(stoppingToken))).ConfigureAwait(false);
            var first = true;
            while (!stoppingToken.IsCancellationRequested)
            {
                var started = _time.GetTimestamp();
                await SyncScopesAsync(first ? Timeout.InfiniteTimeSpan : ScopeSyncWait, lower: !first, stoppingToken).ConfigureAwait(false);
                try
                {
                    _changes.Discard(); // the snapshot read next includes every change signalled until now
                    // The first at full priority (alb is not ready before it); with ALB_REBUILD_NICE the rest below it.
                    var rebuild = await _rebuilds.RunAsync(() => _publication.Rebuild(() => (Snapshot(), []), snapshot => Translator.Translate(snapshot, _options, _cache)), lower: !first)
                        .ConfigureAwait(false);
                    Rebuilds++;
                    _firstPublish.TrySetResult();
                    LogRebuilt(_logger, rebuild.Outcome, rebuild.Ingresses, _time.GetElapsedTime(started).TotalMilliseconds,
                        rebuild.Read.TotalMilliseconds, rebuild.Translate.TotalMilliseconds, rebuild.Publish.TotalMilliseconds);
                    first = false;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogRebuildFailed(_logger, e); // a bug in translation must not stop the source: the last good table serves
                }

                if (!await _changes.WaitAsync(stoppingToken).ConfigureAwait(false))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
        finally
        {
            await _secrets.StopAsync().ConfigureAwait(false);
            await _referencedConfigMaps.StopAsync().ConfigureAwait(false);
            await Task.WhenAll(_running).ConfigureAwait(false);
        }
    }

    /// <summary>The snapshot of the informers' current state.</summary>
    public ClusterSnapshot Snapshot() => new(
        _ingresses.Items,
        _classes.Items,
        _services.Items,
        _slices.Items,
        _secrets.Items,
        (_configMap?.Items ?? []).Concat(_referencedConfigMaps.Items));

    /// <summary>
    /// Starts the Secret informers of namespaces and the ConfigMap informers of names that became referenced (waiting
    /// for their first list), and stops the rest. Under <c>--watch-namespace</c> only that namespace is read.
    /// </summary>
    private async Task SyncScopesAsync(TimeSpan wait, bool lower, CancellationToken stoppingToken)
    {
        // Reading every Ingress's annotations: on the rebuild thread, as the rebuild that follows.
        // Each Ingress's references are kept while it is the same object and the IngressClasses are the same.
        var (namespaces, configMaps) = await _rebuilds.RunAsync(() =>
        {
            var classes = _classes.Items;
            var reuse = ListAlignment.SameItems(_scopeClasses, classes);
            _scopeClasses = classes;
            var filter = new IngressClassFilter(classes, _options);
            var each = _scopes.Map(_ingresses.Items, reuse, i => filter.Accepts(i) ? (SecretScope.Of(i), ConfigMapScope.Of(i)) : default);
            var ours = each.Where(e => e.Secrets is not null).ToList();
            return (SecretScope.Namespaces(ours.Select(e => e.Secrets), _options).Where(Watched).ToHashSet(StringComparer.Ordinal),
                ours.SelectMany(e => e.ConfigMaps)
                    .Where(key => key != _globalConfigMap && Watched(ObjectNames.SplitRef(key).Namespace))
                    .ToHashSet(StringComparer.Ordinal));
        }, lower).ConfigureAwait(false);
        var added = (await _secrets.SyncAsync(namespaces, stoppingToken).ConfigureAwait(false))
            .Concat(await _referencedConfigMaps.SyncAsync(configMaps, stoppingToken).ConfigureAwait(false))
            .ToList();
        if (added.Count > 0)
        {
            try
            {
                await Task.WhenAll(added).WaitAsync(wait, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                LogScopeLate(_logger, wait.TotalSeconds);
            }
        }
    }

    private bool Watched(string ns) => _cluster.WatchNamespace is not { } only || ns == only;

    /// <summary>A referenced ConfigMap's informer: its namespace, and a field selector on its name.</summary>
    private static (string Namespace, Selectors? Selectors) ByName(string key)
    {
        var (ns, name) = ObjectNames.SplitRef(key);
        return (ns, new Selectors(Field: $"metadata.name={name}"));
    }

    private Informer<T> Start<T>(ResourceKind kind, string? ns, Selectors? selectors, CancellationToken stoppingToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var informer = new Informer<T>(_api, kind, ns, selectors, null, _time, _loggers.CreateLogger("Alb.Cluster." + kind.Plural));
        informer.Changed += _changes.Signal;
        _running.Add(Task.Run(() => informer.RunAsync(stoppingToken), CancellationToken.None));
        return informer;
    }

    [LoggerMessage(EventId = 310, Level = LogLevel.Information, Message = "Cluster change handled: {Outcome}, {Ingresses} Ingresses, after {Milliseconds:F0} ms (read {ReadMs:F0} ms, translate {TranslateMs:F0} ms, publish {PublishMs:F0} ms)")]
    private static partial void LogRebuilt(ILogger logger, Proxy.PublishOutcome outcome, int ingresses, double milliseconds, double readMs, double translateMs, double publishMs);

    [LoggerMessage(EventId = 312, Level = LogLevel.Error, Message = "Rebuild from the cluster failed; the last good configuration stays in service")]
    private static partial void LogRebuildFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 311, Level = LogLevel.Warning, Message = "Secrets or ConfigMaps newly referenced by Ingresses not listed within {Seconds:F0} s: publishing without them (their routes fail closed until they arrive)")]
    private static partial void LogScopeLate(ILogger logger, double seconds);
}
