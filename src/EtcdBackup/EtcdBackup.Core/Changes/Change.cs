namespace EtcdBackup.Core.Changes;

public enum ChangeKind
{
    Put,
    Delete,
}

/// <summary>One key's change at a source revision: a put with its value, or a delete (no value).</summary>
public sealed record Change(ChangeKind Kind, ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte> Value, long Revision)
{
    public static Change Put(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, long revision) => new(ChangeKind.Put, key, value, revision);

    public static Change Delete(ReadOnlyMemory<byte> key, long revision) => new(ChangeKind.Delete, key, ReadOnlyMemory<byte>.Empty, revision);

    /// <summary>What the change weighs in a destination request: key and value bytes plus the per-operation framing.</summary>
    public int Bytes => Key.Length + Value.Length + 16;
}

/// <summary>Every change of one source revision (one etcd transaction), in the order etcd reported them.</summary>
public sealed record RevisionGroup(long Revision, IReadOnlyList<Change> Changes);
