using EtcdBackup.Core.Changes;

namespace EtcdBackup.Core.Mirror;

/// <summary>
/// One destination transaction: at most one operation per key, and <see cref="Mark"/>, the source revision to store
/// in the resume key in the same transaction (null: this transaction ends inside a revision and moves no mark).
/// </summary>
public sealed record DestTxn(IReadOnlyList<Change> Ops, long? Mark);

/// <summary>
/// Packs source revisions into destination transactions within etcd's limits: <c>--max-txn-ops</c> (default 128, of
/// which one is the resume key) and <c>--max-request-bytes</c> (default 1.5 MiB; we fill to 1 MiB). Several revisions
/// share a transaction; a later change to a key already in it replaces the earlier one (etcd refuses a key twice in one
/// transaction, and the transaction is atomic, so only the last value is ever visible). A revision too big for one
/// transaction is split; only the part that completes it carries its mark, so a crash in between re-applies the whole
/// revision on restart, which puts the same values again: the destination ends the same.
/// </summary>
public sealed class TxnBatcher(int maxOps = TxnBatcher.DefaultMaxOps, int maxBytes = TxnBatcher.DefaultMaxBytes)
{
    /// <summary>etcd's default <c>--max-txn-ops</c> (128) less the resume key's put.</summary>
    public const int DefaultMaxOps = 127;

    public const int DefaultMaxBytes = 1 << 20;

    private readonly List<Change> _ops = [];
    private readonly Dictionary<ReadOnlyMemory<byte>, int> _index = new(KeyEquality.Instance);
    private int _bytes;
    private long? _mark;

    /// <summary>Changes added since the last transaction was handed out.</summary>
    public bool HasPending => _ops.Count > 0 || _mark is not null;

    /// <summary>Adds one change of the open revision; returns the transaction to send first when it does not fit.</summary>
    public DestTxn? Add(Change change)
    {
        if (_index.TryGetValue(change.Key, out var at))
        {
            _bytes += change.Bytes - _ops[at].Bytes;
            _ops[at] = change;
            return null;
        }

        DestTxn? full = null;
        if (_ops.Count > 0 && (_ops.Count >= maxOps || _bytes + change.Bytes > maxBytes))
        {
            full = Take();
        }

        _index[change.Key] = _ops.Count;
        _ops.Add(change);
        _bytes += change.Bytes;
        return full;
    }

    /// <summary>Adds a whole revision; returns the transactions that filled up on the way.</summary>
    public IReadOnlyList<DestTxn> Add(RevisionGroup group)
    {
        var full = new List<DestTxn>();
        foreach (var change in group.Changes)
        {
            if (Add(change) is { } txn)
            {
                full.Add(txn);
            }
        }

        EndRevision(group.Revision);
        return full;
    }

    /// <summary>Everything added so far is complete up to <paramref name="revision"/>.</summary>
    public void EndRevision(long revision) => _mark = revision;

    /// <summary>The pending transaction (possibly the mark alone), or null when there is nothing to write.</summary>
    public DestTxn? Flush() => HasPending ? Take() : null;

    private DestTxn Take()
    {
        var txn = new DestTxn([.. _ops], _mark);
        _ops.Clear();
        _index.Clear();
        _bytes = 0;
        _mark = null;
        return txn;
    }
}

/// <summary>Key equality by content.</summary>
public sealed class KeyEquality : IEqualityComparer<ReadOnlyMemory<byte>>
{
    public static KeyEquality Instance { get; } = new();

    public bool Equals(ReadOnlyMemory<byte> x, ReadOnlyMemory<byte> y) => x.Span.SequenceEqual(y.Span);

    public int GetHashCode(ReadOnlyMemory<byte> obj)
    {
        var hash = new HashCode();
        hash.AddBytes(obj.Span);
        return hash.ToHashCode();
    }
}
