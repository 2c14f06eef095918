using System.Text.Json.Nodes;
using AlbOperator.Cluster;
using AlbOperator.Core.Desired;
using AlbOperator.Core.Model;
using AlbOperator.Core.Reconcile;
using AlbOperator.Core.StatusPlanning;
using AlbOperator.Observability;
using Edge.Kubernetes;
using k8s;
using k8s.Models;

namespace AlbOperator.Reconciling;

/// <summary>How one reconcile of one Alb ended.</summary>
internal enum ReconcileOutcome
{
    /// <summary>Nothing written: every object and the status were as desired.</summary>
    Unchanged,

    /// <summary>Objects, the finalizer or the status written.</summary>
    Applied,

    /// <summary>The Alb is being deleted: its cluster-scoped objects deleted and the finalizer removed.</summary>
    CleanedUp,

    /// <summary>Some object could not be applied or deleted (status says which); retried with backoff.</summary>
    Failed,
}

/// <summary>
/// One Alb, once: desired objects (<see cref="DesiredState"/>) against what is observed (the informers' objects
/// with the owner labels, and a GET for a desired object they do not have, to see who holds it), planned by
/// <see cref="ReconcilePlanner"/>, applied with server-side apply under <see cref="AlbApi.FieldManager"/>, then the
/// status planned by <see cref="StatusPlanner"/> and written through the status subresource only when it changed.
/// An object whose hash matches but whose content someone changed (<see cref="Drift"/>) is applied again. Every
/// write carries the leadership token: when the Lease is lost, the request in flight is cancelled and nothing
/// further is sent.
/// </summary>
internal sealed partial class AlbReconciler(KubeApi api, ClusterView cluster, DesiredStateOptions desiredOptions, OperatorMetrics metrics, TimeProvider time, ILogger<AlbReconciler> logger)
{
    /// <summary>Per object: the desired hash last applied and the paths where the server's answer differed (its own normalisation, not drift).</summary>
    private readonly Dictionary<ObjectKey, (string Hash, HashSet<string> Paths)> _normal = [];

    /// <summary>A new term starts from nothing remembered.</summary>
    public void Forget() => _normal.Clear();

    public async Task<ReconcileOutcome> ReconcileAsync(AlbResource alb, ReconcileProblem? operatorProblem, CancellationToken term)
    {
        if (ReconcilePlanner.IsDeleting(alb))
        {
            return await CleanUpAsync(alb, term).ConfigureAwait(false);
        }

        var desired = DesiredState.For(alb, desiredOptions);
        var wrote = false;
        if (desired.IsValid && ReconcilePlanner.NeedsFinalizer(alb))
        {
            // Before anything cluster-scoped exists: owner references cannot remove those, the finalizer does.
            alb = await SetFinalizersAsync(alb, [.. alb.Metadata.Finalizers ?? [], AlbApi.Finalizer], term).ConfigureAwait(false);
            wrote = true;
        }

        var owned = cluster.OwnedBy(AlbNames.Of(alb));
        var observed = await ObserveAsync(alb, desired, owned, term).ConfigureAwait(false);
        var plan = ReconcilePlanner.Plan(alb, desired, observed);
        var problems = new List<ReconcileProblem>(plan.Problems);
        var results = new Dictionary<ObjectKey, KubeObject>();
        var failed = false;
        foreach (var want in plan.Apply)
        {
            term.ThrowIfCancellationRequested();
            var kind = OperatorKinds.Of(want.ApiVersion, want.Kind);
            try
            {
                var result = await api.ApplyAsync(kind, want.Namespace, want.Name, KubeObject.From(want.Object), AlbApi.FieldManager, term).ConfigureAwait(false);
                results[want.Key] = result;
                _normal[want.Key] = (want.Hash, [.. Differences(want.Object, result)]);
                metrics.ObjectWrites.WithLabels("apply", want.Kind).Inc();
                LogApplied(logger, alb.ToString(), want.Key.ToString());
            }
            catch (KubeApiException e)
            {
                problems.Add(new ReconcileProblem(Reasons.ApplyFailed, $"{want.Key}: {e.Message}"));
                failed = true;
            }

            wrote = true;
        }

        foreach (var key in plan.Delete)
        {
            term.ThrowIfCancellationRequested();
            try
            {
                await api.DeleteAsync(KindOf(key), key.Namespace, key.Name, term).ConfigureAwait(false);
                metrics.ObjectWrites.WithLabels("delete", key.Kind).Inc();
                LogDeleted(logger, alb.ToString(), key.ToString());
            }
            catch (KubeApiException e)
            {
                problems.Add(new ReconcileProblem(Reasons.ApplyFailed, $"{key}: delete: {e.Message}"));
                failed = true;
            }

            wrote = true;
        }

        if (operatorProblem is not null)
        {
            problems.Add(operatorProblem);
        }

        var status = StatusPlanner.Plan(new StatusInput
        {
            Alb = alb,
            Deployment = Workload<V1Deployment>(desired.Find("Deployment"), results, owned),
            VipdDaemonSet = Workload<V1DaemonSet>(desired.Find("DaemonSet"), results, owned),
            Problems = problems,
            SpecErrors = desired.Errors,
        }, time.GetUtcNow());
        if (status.Changed)
        {
            await WriteStatusAsync(alb, status.Status, term).ConfigureAwait(false);
            wrote = true;
        }

        return failed ? ReconcileOutcome.Failed : wrote ? ReconcileOutcome.Applied : ReconcileOutcome.Unchanged;
    }

    /// <summary>The informers' objects of this Alb; for each desired object they lack, what a GET finds (held by someone else, or just made).</summary>
    private async Task<List<ObservedObject>> ObserveAsync(AlbResource alb, DesiredState desired, IReadOnlyList<(ResourceKind Kind, IKubernetesObject<V1ObjectMeta> Object)> owned, CancellationToken term)
    {
        var found = owned.Select(o => (Observed: ObservedObject.From(o.Kind.ApiVersion, o.Kind.Kind, o.Object.Metadata), o.Object)).ToList();
        var keys = found.Select(f => f.Observed.Key).ToHashSet();
        foreach (var want in desired.Objects.Where(d => !keys.Contains(d.Key)))
        {
            var kind = OperatorKinds.Of(want.ApiVersion, want.Kind);
            if (await api.GetAsync<KubeObject>(kind, want.Namespace, want.Name, term).ConfigureAwait(false) is { } there)
            {
                found.Add((ObservedObject.From(kind.ApiVersion, kind.Kind, there.Metadata), there));
            }
        }

        var names = AlbNames.Of(alb);
        var observed = new List<ObservedObject>(found.Count);
        foreach (var (seen, value) in found)
        {
            var want = desired.Objects.FirstOrDefault(d => d.Key == seen.Key);
            if (want is not null && seen.DesiredHash == want.Hash && seen.BelongsTo(names))
            {
                var normal = _normal.TryGetValue(want.Key, out var known) && known.Hash == want.Hash ? known.Paths : [];
                var drift = Differences(want.Object, value).Where(p => !normal.Contains(p)).ToList();
                if (drift.Count > 0)
                {
                    LogDrift(logger, want.Key.ToString(), string.Join(", ", drift));
                    observed.Add(seen with { DesiredHash = null }); // changed by hand: applied again
                    continue;
                }
            }

            observed.Add(seen);
        }

        return observed;
    }

    /// <summary>The Alb is being deleted: its cluster-scoped objects (found by the owner labels) go, then the finalizer.</summary>
    private async Task<ReconcileOutcome> CleanUpAsync(AlbResource alb, CancellationToken term)
    {
        if (!(alb.Metadata.Finalizers ?? []).Contains(AlbApi.Finalizer))
        {
            return ReconcileOutcome.Unchanged;
        }

        var names = AlbNames.Of(alb);
        var observed = new List<ObservedObject>();
        foreach (var kind in OperatorKinds.Owned.Where(k => !k.Namespaced))
        {
            var page = await api.ListAsync<KubeObject>(kind, null, new Selectors(Label: AlbLabels.OwnerSelector(names)), 500, null, term).ConfigureAwait(false);
            observed.AddRange(page.Items.Select(i => ObservedObject.From(kind.ApiVersion, kind.Kind, i.Metadata)));
        }

        foreach (var key in ReconcilePlanner.Cleanup(alb, observed).Delete)
        {
            term.ThrowIfCancellationRequested();
            await api.DeleteAsync(KindOf(key), key.Namespace, key.Name, term).ConfigureAwait(false);
            metrics.ObjectWrites.WithLabels("delete", key.Kind).Inc();
            LogDeleted(logger, alb.ToString(), key.ToString());
        }

        await SetFinalizersAsync(alb, [.. (alb.Metadata.Finalizers ?? []).Where(f => f != AlbApi.Finalizer)], term).ConfigureAwait(false);
        LogCleanedUp(logger, alb.ToString());
        return ReconcileOutcome.CleanedUp;
    }

    /// <summary>A merge patch of <c>metadata.finalizers</c> with the Alb's resourceVersion as precondition (a 409 when it changed meanwhile).</summary>
    private async Task<AlbResource> SetFinalizersAsync(AlbResource alb, List<string> finalizers, CancellationToken term)
    {
        term.ThrowIfCancellationRequested();
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["resourceVersion"] = alb.Metadata.ResourceVersion,
                ["finalizers"] = finalizers.Count == 0 ? null : new JsonArray([.. finalizers.Select(f => (JsonNode)f)]),
            },
        };
        var updated = await api.MergePatchAsync<KubeObject>(OperatorKinds.Albs, alb.Metadata.NamespaceProperty, alb.Metadata.Name, patch.ToJsonString(), term).ConfigureAwait(false);
        return AlbJson.TryDeserialize(KubernetesJson.Serialize(updated), out var read, out _) ? read! : alb;
    }

    private async Task WriteStatusAsync(AlbResource alb, AlbStatus status, CancellationToken term)
    {
        term.ThrowIfCancellationRequested();
        var patch = new JsonObject { ["status"] = JsonNode.Parse(AlbJson.Serialize(status)) };
        try
        {
            await api.MergePatchAsync<KubeObject>(OperatorKinds.Albs, alb.Metadata.NamespaceProperty, alb.Metadata.Name, patch.ToJsonString(), term, subresource: "status").ConfigureAwait(false);
            metrics.StatusWrites.Inc();
            LogStatus(logger, alb.ToString(), string.Join(", ", status.Conditions.Select(c => $"{c.Type}={c.Status} {c.Reason}")));
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            // deleted meanwhile
        }
    }

    /// <summary>The Deployment or DaemonSet as just applied, else as watched (ours only); null when there is none.</summary>
    private static T? Workload<T>(DesiredObject? want, Dictionary<ObjectKey, KubeObject> results, IReadOnlyList<(ResourceKind Kind, IKubernetesObject<V1ObjectMeta> Object)> owned)
        where T : class
    {
        if (want is null)
        {
            return null;
        }

        if (results.TryGetValue(want.Key, out var applied))
        {
            return applied.As<T>();
        }

        var watched = owned.FirstOrDefault(o => o.Kind.Kind == want.Kind && o.Object.Metadata.Name == want.Name && o.Object.Metadata.NamespaceProperty == want.Namespace).Object;
        return watched is KubeObject value ? value.As<T>() : null;
    }

    private static IReadOnlyList<string> Differences(object desired, object observed) =>
        Drift.Differences(JsonNode.Parse(KubernetesJson.Serialize(desired))!, JsonNode.Parse(KubernetesJson.Serialize(observed))!);

    private static ResourceKind KindOf(ObjectKey key) =>
        OperatorKinds.Owned.First(k => k.Group == key.Group && k.Kind == key.Kind);

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Alb {Alb}: applied {Object}")]
    private static partial void LogApplied(ILogger logger, string alb, string @object);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Alb {Alb}: deleted {Object}")]
    private static partial void LogDeleted(ILogger logger, string alb, string @object);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "{Object} was changed by someone else ({Paths}): applying it again")]
    private static partial void LogDrift(ILogger logger, string @object, string paths);

    [LoggerMessage(EventId = 203, Level = LogLevel.Information, Message = "Alb {Alb}: status {Conditions}")]
    private static partial void LogStatus(ILogger logger, string alb, string conditions);

    [LoggerMessage(EventId = 204, Level = LogLevel.Information, Message = "Alb {Alb} deleted: its cluster-scoped objects are gone, finalizer removed")]
    private static partial void LogCleanedUp(ILogger logger, string alb);
}
