namespace Edge.Testing.KubeApi;

/// <summary>Every request the server received, in arrival order, for tests to assert on.</summary>
public sealed class RequestLog
{
    private readonly Lock _gate = new();
    private readonly List<RequestInfo> _entries = [];
    private long _sequence;

    public IReadOnlyList<RequestInfo> Snapshot()
    {
        lock (_gate)
        {
            return [.. _entries];
        }
    }

    public IReadOnlyList<RequestInfo> Where(Func<RequestInfo, bool> predicate)
    {
        lock (_gate)
        {
            return [.. _entries.Where(predicate)];
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
        }
    }

    internal long NextSequence() => Interlocked.Increment(ref _sequence);

    internal void Add(RequestInfo request)
    {
        lock (_gate)
        {
            _entries.Add(request);
        }
    }
}
