namespace EtcdBackup.Core.Changes;

/// <summary>
/// Turns watch answers into whole revisions. A watch created with <c>fragment</c> may split one revision's events over
/// several answers; an answer's last revision is complete only when the answer is not a fragment (or a later revision
/// begins). Only the open revision is held, so memory stays bounded by one etcd transaction.
/// </summary>
public sealed class RevisionGrouper
{
    private readonly List<Change> _open = [];
    private long _openRevision;

    /// <summary>The highest revision seen in any event, in scope or not.</summary>
    public long SeenRevision { get; private set; }

    /// <summary>The highest revision whose events have all been seen (in scope or not): a reconnected watch starts after it.</summary>
    public long CompleteRevision { get; private set; }

    /// <summary>
    /// Adds one answer's events (in revision order; <paramref name="inScope"/> selects the ones to keep) and returns the
    /// revisions it completed, ascending. Events of a revision older than the open one are an error of the source.
    /// </summary>
    public IReadOnlyList<RevisionGroup> Add(IEnumerable<Change> events, bool fragment, Func<ReadOnlyMemory<byte>, bool> inScope)
    {
        var done = new List<RevisionGroup>();
        foreach (var change in events)
        {
            if (change.Revision < _openRevision || change.Revision < SeenRevision)
            {
                throw new InvalidOperationException($"watch event at revision {change.Revision} after revision {Math.Max(_openRevision, SeenRevision)}");
            }

            if (change.Revision != _openRevision)
            {
                Close(done);
                _openRevision = change.Revision;
            }

            SeenRevision = change.Revision;
            if (inScope(change.Key))
            {
                _open.Add(change);
            }
        }

        if (!fragment)
        {
            Close(done);
        }

        return done;
    }

    /// <summary>Drops a revision left open by a broken stream: it is read again from the start after a reconnect.</summary>
    public void Reset()
    {
        _open.Clear();
        _openRevision = 0;
        SeenRevision = CompleteRevision;
    }

    private void Close(List<RevisionGroup> done)
    {
        if (_open.Count > 0)
        {
            done.Add(new RevisionGroup(_openRevision, [.. _open]));
            _open.Clear();
        }

        CompleteRevision = Math.Max(CompleteRevision, _openRevision);

        _openRevision = 0;
    }
}
