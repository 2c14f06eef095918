namespace Edge.Testing.KubeApi;

/// <summary>
/// The bounded window of past events a watch can resume from. An event pushed out of the window (or dropped by a
/// forced compaction) makes every resourceVersion before it "too old" (410).
/// </summary>
internal sealed class EventLog
{
    private readonly Queue<StoreEvent> _events = new();

    public EventLog(int window) => Window = Math.Max(1, window);

    public int Window { get; private set; }

    /// <summary>The newest resourceVersion no longer replayable; a watch from an older one gets 410.</summary>
    public long CompactedThrough { get; private set; }

    public int Count => _events.Count;

    public void Append(StoreEvent e)
    {
        _events.Enqueue(e);
        Trim();
    }

    public void Resize(int window)
    {
        Window = Math.Max(1, window);
        Trim();
    }

    /// <summary>Drops every event: a watch must start at <paramref name="current"/> or later.</summary>
    public void CompactTo(long current)
    {
        _events.Clear();
        CompactedThrough = Math.Max(CompactedThrough, current);
    }

    public bool IsTooOld(long resourceVersion) => resourceVersion < CompactedThrough;

    public IEnumerable<StoreEvent> Since(long resourceVersion) => _events.Where(e => e.ResourceVersion > resourceVersion);

    private void Trim()
    {
        while (_events.Count > Window)
        {
            CompactedThrough = _events.Dequeue().ResourceVersion;
        }
    }
}
