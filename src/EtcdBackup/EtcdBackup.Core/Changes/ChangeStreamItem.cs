namespace EtcdBackup.Core.Changes;

/// <summary>What a change stream yields, in source revision order.</summary>
public abstract record ChangeStreamItem;

/// <summary>The changes of one source revision that fall in the watched scope; revisions without any are not yielded.</summary>
public sealed record RevisionChanges(RevisionGroup Group) : ChangeStreamItem;

/// <summary>
/// The source's current revision, from a progress answer or a watch header. Only a gauge of how far the source is:
/// etcd 3.4 can answer a progress request before it has sent earlier events, so it never marks anything as applied.
/// </summary>
public sealed record SourceProgress(long Revision) : ChangeStreamItem;

/// <summary>
/// The source compacted past the next revision the stream needed: the history between <paramref name="NextRevision"/>
/// and <paramref name="CompactRevision"/> is gone, so the consumer must resynchronise from a full read. The stream ends
/// after this item; it never skips the gap silently.
/// </summary>
public sealed record ResyncNeeded(long NextRevision, long CompactRevision) : ChangeStreamItem;
