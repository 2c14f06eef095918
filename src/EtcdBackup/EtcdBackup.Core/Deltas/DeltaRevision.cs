using EtcdBackup.Core.Changes;

namespace EtcdBackup.Core.Deltas;

/// <summary>One source revision in a delta: its events in etcd's order and when etcd-backup received it.</summary>
public sealed record DeltaRevision(long Revision, DateTimeOffset Time, IReadOnlyList<Change> Changes)
{
    /// <summary>Bytes this revision takes in the delta format (before compression), within a few bytes.</summary>
    public long Bytes => 24 + Changes.Sum(c => (long)c.Key.Length + c.Value.Length + 12);
}
