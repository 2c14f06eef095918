using Alb.Cli;
using Alb.Core.Cluster;
using Alb.Core.Snapshot;
using Alb.Core.Translation;
using Edge.Kubernetes;
using k8s.Models;

namespace Alb.Sources;

/// <summary>
/// What only the elected replica does (Lease <c>--election-id</c> in <c>--election-namespace</c>): keep Ingress status
/// (<see cref="IngressStatusPlanner"/>) and post the diagnostics of Ingresses as Events. Every write carries the
/// leadership token, which is cancelled at the renew deadline: a replica that cannot renew stops writing before
/// another one may take over. Status is checked every <see cref="Resync"/> and after every publication.
/// </summary>
internal sealed partial class LeaderDuties(
    KubeApi api,
    ClusterOptions cluster,
    TranslationOptions options,
    ClusterSource source,
    Publication publication,
    RebuildThread rebuilds,
    TimeProvider time,
    ILogger<LeaderDuties> logger) : BackgroundService
{
    public static readonly TimeSpan Resync = TimeSpan.FromSeconds(60);

    private readonly LeaderElector _elector = new(api, new LeaderElectionOptions(cluster.ElectionNamespace, cluster.ElectionId, cluster.Identity), time, logger);
    private readonly EventPoster _events = new(api, cluster.Identity, time);
    private readonly Coalescer _changes = Coalescer.Default(time);
    private readonly ListMemo<V1Ingress, StatusWrite?> _plans = new(); // on the rebuild thread only
    private (IReadOnlyList<V1IngressClass> Classes, IReadOnlyList<V1IngressLoadBalancerIngress> Addresses)? _planned;
    private CancellationToken _term = new(canceled: true);

    public bool IsLeader => _elector.IsLeader;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        publication.Published += _ => _changes.Signal();
        try
        {
            await source.FirstPublish.WaitAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        await _elector.RunAsync(LeadAsync, stoppingToken).ConfigureAwait(false);
    }

    /// <summary>With <c>--update-status-on-shutdown</c>, the leader clears our addresses when no other alb replica runs.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (cluster.UpdateStatusOnShutdown && !_term.IsCancellationRequested)
        {
            try
            {
                if (await LastReplicaAsync(_term).ConfigureAwait(false))
                {
                    await WriteStatusAsync([], _term).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is KubeApiException or HttpRequestException or TimeoutException or IOException or OperationCanceledException)
            {
                LogStatusFailed(logger, "shutdown", e.Message);
            }
        }

        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task LeadAsync(CancellationToken term)
    {
        _term = term;
        _changes.Signal();
        while (!term.IsCancellationRequested)
        {
            try
            {
                var addresses = await AddressesAsync(term).ConfigureAwait(false);
                await WriteStatusAsync(addresses, term).ConfigureAwait(false);
                if (publication.Last is { } last)
                {
                    await _events.PostAsync(last.Diagnostics, source.FindIngress, term).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (term.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is KubeApiException or HttpRequestException or TimeoutException or IOException)
            {
                LogStatusFailed(logger, "sync", e.Message);
            }

            using var next = CancellationTokenSource.CreateLinkedTokenSource(term);
            next.CancelAfter(Resync);
            await _changes.WaitAsync(next.Token).ConfigureAwait(false);
        }
    }

    /// <summary>ingress-nginx's precedence: --publish-status-address, else --publish-service, else the nodes of ready alb Pods.</summary>
    private async Task<IReadOnlyList<V1IngressLoadBalancerIngress>> AddressesAsync(CancellationToken ct)
    {
        if (cluster.PublishStatusAddress.Count > 0)
        {
            return StatusAddresses.FromStatic(cluster.PublishStatusAddress);
        }

        if (cluster.PublishService is { } reference)
        {
            var (ns, name) = ObjectNames.SplitRef(reference);
            var service = await api.GetAsync<V1Service>(ResourceKind.Services, ns, name, ct).ConfigureAwait(false);
            return service is null ? [] : StatusAddresses.FromService(service);
        }

        var pods = await ReplicaPodsAsync(ct).ConfigureAwait(false);
        if (pods.Count == 0)
        {
            return [];
        }

        var nodes = await api.ListAsync<V1Node>(ResourceKind.Nodes, null, Selectors.None, 500, null, ct).ConfigureAwait(false);
        return StatusAddresses.FromPods(pods, nodes.Items);
    }

    /// <summary>The Pods of this alb (same labels as ours, in our namespace); empty outside a Pod.</summary>
    private async Task<IReadOnlyList<V1Pod>> ReplicaPodsAsync(CancellationToken ct)
    {
        if (cluster.PodNamespace is not { } ns || cluster.PodName is not { } name
            || await api.GetAsync<V1Pod>(ResourceKind.Pods, ns, name, ct).ConfigureAwait(false) is not { } self)
        {
            return [];
        }

        var labels = (self.Metadata.Labels ?? new Dictionary<string, string>()).Where(l => l.Key != "pod-template-hash").Select(l => $"{l.Key}={l.Value}");
        var page = await api.ListAsync<V1Pod>(ResourceKind.Pods, ns, new Selectors(Label: string.Join(',', labels)), 500, null, ct).ConfigureAwait(false);
        return page.Items;
    }

    private async Task<bool> LastReplicaAsync(CancellationToken ct)
    {
        var pods = await ReplicaPodsAsync(ct).ConfigureAwait(false);
        return !pods.Any(p => p.Metadata.Name != cluster.PodName && p.Status?.Phase == "Running" && p.Metadata.DeletionTimestamp is null);
    }

    private async Task WriteStatusAsync(IReadOnlyList<V1IngressLoadBalancerIngress> addresses, CancellationToken term)
    {
        // Planning reads every Ingress (tens of ms at 10,000): on the rebuild thread, off the pool the requests need.
        // Each Ingress's verdict is kept while it is the same object and the classes and addresses are the same.
        var writes = await rebuilds.RunAsync(() =>
        {
            var classes = source.IngressClasses;
            var reuse = _planned is { } last && StatusAddresses.Same(last.Addresses, addresses) && ListAlignment.SameItems(last.Classes, classes);
            _planned = (classes, addresses);
            return IngressStatusPlanner.InOrder(_plans.Map(source.Ingresses, reuse, IngressStatusPlanner.Planner(classes, options, addresses)));
        }, lower: true).ConfigureAwait(false);
        foreach (var write in writes)
        {
            term.ThrowIfCancellationRequested(); // never write after leadership is lost
            var meta = write.Ingress.Metadata;
            try
            {
                await api.MergePatchAsync<V1Ingress>(ResourceKind.Ingresses, meta.NamespaceProperty, meta.Name, write.Patch(), term, subresource: "status").ConfigureAwait(false);
                LogStatusWritten(logger, meta.NamespaceProperty ?? "default", meta.Name, string.Join(',', write.Addresses.Select(a => a.Ip ?? a.Hostname)));
            }
            catch (KubeApiException e) when (e.IsNotFound)
            {
                // deleted meanwhile
            }
            catch (KubeApiException e) when (e.IsConflict)
            {
                LogStatusStale(logger, meta.NamespaceProperty ?? "default", meta.Name); // changed since the plan: its event brings a new one
            }
        }
    }

    [LoggerMessage(EventId = 322, Level = LogLevel.Information, Message = "Ingress {Namespace}/{Name} changed since its status was planned (409); planning again from the change")]
    private static partial void LogStatusStale(ILogger logger, string @namespace, string name);

    [LoggerMessage(EventId = 320, Level = LogLevel.Information, Message = "Ingress {Namespace}/{Name} status: [{Addresses}]")]
    private static partial void LogStatusWritten(ILogger logger, string @namespace, string name, string addresses);

    [LoggerMessage(EventId = 321, Level = LogLevel.Warning, Message = "Ingress status {Phase} failed, retrying: {Reason}")]
    private static partial void LogStatusFailed(ILogger logger, string phase, string reason);
}
