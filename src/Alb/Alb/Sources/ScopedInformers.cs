using Edge.Kubernetes;
using k8s;
using k8s.Models;

namespace Alb.Sources;

/// <summary>
/// Informers of one kind that start and stop as the wanted scopes change. A scope is a key (a namespace, or
/// <c>namespace/name</c>) that the <c>place</c> function turns into the namespace and selectors to list and watch.
/// The cluster source keeps one set for Secrets (per namespace) and one for referenced ConfigMaps (per name); every
/// informer's changes go to the same coalescer. One caller at a time (the source's loop).
/// </summary>
internal sealed class ScopedInformers<T>(
    KubeApi api,
    ResourceKind kind,
    Func<string, (string Namespace, Selectors? Selectors)> place,
    Action changed,
    TimeProvider time,
    ILogger logger)
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly Dictionary<string, (Informer<T> Informer, CancellationTokenSource Stop, Task Run)> _running = new(StringComparer.Ordinal);

    /// <summary>The objects of every running informer now.</summary>
    public IEnumerable<T> Items => _running.Values.SelectMany(r => r.Informer.Items);

    /// <summary>Stops the informers of scopes no longer wanted, starts those of new ones, and returns the new ones' first lists.</summary>
    public async Task<IReadOnlyList<Task>> SyncAsync(IReadOnlySet<string> wanted, CancellationToken stoppingToken)
    {
        foreach (var gone in _running.Keys.Where(k => !wanted.Contains(k)).ToList())
        {
            var (_, stop, run) = _running[gone];
            _running.Remove(gone);
            await stop.CancelAsync().ConfigureAwait(false);
            await run.ConfigureAwait(false);
            stop.Dispose();
        }

        var added = new List<Task>();
        foreach (var scope in wanted.Where(s => !_running.ContainsKey(s)))
        {
            var (ns, selectors) = place(scope);
            var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var informer = new Informer<T>(api, kind, ns, selectors, null, time, logger);
            informer.Changed += changed;
            _running[scope] = (informer, stop, Task.Run(() => informer.RunAsync(stop.Token), CancellationToken.None));
            added.Add(informer.FirstSync);
        }

        return added;
    }

    /// <summary>Stops every informer and waits for them to end.</summary>
    public async Task StopAsync()
    {
        foreach (var (_, stop, _) in _running.Values)
        {
            await stop.CancelAsync().ConfigureAwait(false);
        }

        await Task.WhenAll(_running.Values.Select(r => r.Run)).ConfigureAwait(false);
        foreach (var (_, stop, _) in _running.Values)
        {
            stop.Dispose();
        }

        _running.Clear();
    }
}
