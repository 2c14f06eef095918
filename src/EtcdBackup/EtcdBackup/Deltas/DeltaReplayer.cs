using EtcdBackup.Core.Changes;
using EtcdBackup.Core.Deltas;
using EtcdBackup.Targets;
using EtcdBackup.Tools;
using Etcdserverpb;
using Google.Protobuf;

namespace EtcdBackup.Deltas;

/// <summary>
/// Replays a plan's deltas into a temporary etcd restored from its base: every source revision after the base's own
/// (which the restored member reports) up to the target, in order, each as one transaction of its puts and deletes
/// (split only past the member's raised limits). Leases are not carried: a replayed key is put without one.
/// </summary>
internal static class DeltaReplayer
{
    private const long MaxTxnBytes = 32L << 20;

    /// <summary>The revision to stop at: the plan's, or for a time, the newest revision received at or before it.</summary>
    public static async Task<long> TargetAsync(DeltaStore store, ITarget target, RestorePlan plan, CancellationToken ct)
    {
        if (plan.Time is null)
        {
            return plan.Revision;
        }

        var best = plan.Revision;
        foreach (var delta in plan.Deltas)
        {
            best = Math.Max(best, plan.Target(await ReadCheckedAsync(store, target, delta, ct).ConfigureAwait(false)));
        }

        return best;
    }

    /// <summary>Replays revisions in (<paramref name="after"/>, <paramref name="upTo"/>]; returns how many revisions and events.</summary>
    public static async Task<(int Revisions, long Events)> ReplayAsync(TemporaryEtcd member, DeltaStore store, ITarget target, RestorePlan plan,
        long after, long upTo, CancellationToken ct)
    {
        var (revisions, events) = (0, 0L);
        foreach (var delta in plan.Deltas)
        {
            foreach (var revision in await ReadCheckedAsync(store, target, delta, ct).ConfigureAwait(false))
            {
                if (revision.Revision <= after || revision.Revision > upTo)
                {
                    continue;
                }

                var txn = new TxnRequest();
                var bytes = 0L;
                foreach (var change in revision.Changes)
                {
                    if (txn.Success.Count >= TemporaryEtcd.MaxTxnOps || bytes >= MaxTxnBytes)
                    {
                        await member.Kv.TxnAsync(txn, cancellationToken: ct).ConfigureAwait(false);
                        (txn, bytes) = (new TxnRequest(), 0);
                    }

                    txn.Success.Add(change.Kind == ChangeKind.Put
                        ? new RequestOp { RequestPut = new PutRequest { Key = UnsafeByteOperations.UnsafeWrap(change.Key), Value = UnsafeByteOperations.UnsafeWrap(change.Value) } }
                        : new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = UnsafeByteOperations.UnsafeWrap(change.Key) } });
                    bytes += change.Bytes;
                }

                await member.Kv.TxnAsync(txn, cancellationToken: ct).ConfigureAwait(false);
                revisions++;
                events += revision.Changes.Count;
            }
        }

        return (revisions, events);
    }

    private static async Task<IReadOnlyList<DeltaRevision>> ReadCheckedAsync(DeltaStore store, ITarget target, DeltaManifest delta, CancellationToken ct)
    {
        var (revisions, problems) = await store.ReadAsync(target, delta, ct).ConfigureAwait(false);
        return problems.Count == 0 ? revisions : throw new ReplayException($"delta {delta.Name} in {target.Name}: {string.Join("; ", problems)}");
    }
}

/// <summary>A delta that cannot be replayed (damaged, wrong key): the restore stops and leaves nothing.</summary>
internal sealed class ReplayException(string message) : Exception(message);
