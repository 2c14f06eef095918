using AlbOperator.Core.Desired;
using AlbOperator.Core.Model;
using AlbOperator.Core.StatusPlanning;

namespace AlbOperator.Core.Reconcile;

/// <summary>What to do for one Alb: objects to apply (in order), objects to delete, and problems to report.</summary>
public sealed record ReconcilePlan(IReadOnlyList<DesiredObject> Apply, IReadOnlyList<ObjectKey> Delete, IReadOnlyList<ReconcileProblem> Problems)
{
    /// <summary>Nothing to write: every desired object is there with its hash, and nothing stale is left.</summary>
    public bool UpToDate => Apply.Count == 0 && Delete.Count == 0;
}

/// <summary>
/// Compares desired with observed. The host passes what it observed: every object labelled with the Alb's owner
/// labels (<see cref="AlbLabels.OwnerSelector"/>), and each desired object looked up by name (so an object
/// someone else holds is seen). Rules:
/// <list type="bullet">
/// <item>missing, or ours with another <c>edge.io/desired-hash</c> → apply (server-side, field manager
/// <see cref="AlbApi.FieldManager"/>); ours with the same hash → skip;</item>
/// <item>present but not labelled as this Alb's → never applied: an <see cref="Reasons.OwnershipConflict"/>
/// problem (two Albs asking for one IngressClass name: the first keeps it, the second is Degraded);</item>
/// <item>ours but no longer desired (the VIP removed, the class renamed) → delete;</item>
/// <item>an invalid Alb plans nothing: what runs keeps running until the spec is fixed.</item>
/// </list>
/// </summary>
public static class ReconcilePlanner
{
    public static ReconcilePlan Plan(AlbResource alb, DesiredState desired, IReadOnlyCollection<ObservedObject> observed)
    {
        if (!desired.IsValid)
        {
            return new ReconcilePlan([], [], []);
        }

        var names = AlbNames.Of(alb);
        var byKey = observed.GroupBy(o => o.Key).ToDictionary(g => g.Key, g => g.First());
        var apply = new List<DesiredObject>();
        var problems = new List<ReconcileProblem>();
        foreach (var want in desired.Objects)
        {
            if (!byKey.TryGetValue(want.Key, out var have))
            {
                apply.Add(want);
            }
            else if (!have.BelongsTo(names))
            {
                problems.Add(new(Reasons.OwnershipConflict, $"{want.Key} exists and belongs to {have.Holder()}; it is left alone"));
            }
            else if (have.DesiredHash != want.Hash)
            {
                apply.Add(want);
            }
        }

        var wanted = desired.Objects.Select(o => o.Key).ToHashSet();
        var delete = observed.Where(o => o.BelongsTo(names) && !wanted.Contains(o.Key)).Select(o => o.Key).Distinct();
        return new ReconcilePlan(apply, DeleteOrder(delete), problems);
    }

    /// <summary>
    /// The Alb is being deleted: its namespaced objects go with it (owner references); the cluster-scoped ones
    /// (ClusterRole, ClusterRoleBinding, IngressClass) are deleted here, and the finalizer is removed once none is left.
    /// </summary>
    public static ReconcilePlan Cleanup(AlbResource alb, IReadOnlyCollection<ObservedObject> observed)
    {
        var names = AlbNames.Of(alb);
        return new ReconcilePlan([], DeleteOrder(observed.Where(o => o.Key.Namespace is null && o.BelongsTo(names)).Select(o => o.Key).Distinct()), []);
    }

    /// <summary>The finalizer is on, and the Alb is not being deleted: add it before creating anything cluster-scoped.</summary>
    public static bool NeedsFinalizer(AlbResource alb) =>
        alb.Metadata.DeletionTimestamp is null && !(alb.Metadata.Finalizers ?? []).Contains(AlbApi.Finalizer);

    public static bool IsDeleting(AlbResource alb) => alb.Metadata.DeletionTimestamp is not null;

    /// <summary>Workloads first (they use the rest), RBAC last; then by name, for a stable order.</summary>
    private static List<ObjectKey> DeleteOrder(IEnumerable<ObjectKey> keys)
    {
        string[] order = ["DaemonSet", "Deployment", "PodDisruptionBudget", "Service", "IngressClass", "ConfigMap", "RoleBinding", "Role", "ClusterRoleBinding", "ClusterRole", "ServiceAccount"];
        return [.. keys
            .OrderBy(k => Array.IndexOf(order, k.Kind) is var i && i < 0 ? order.Length : i)
            .ThenBy(k => k.Namespace, StringComparer.Ordinal)
            .ThenBy(k => k.Name, StringComparer.Ordinal)];
    }
}
