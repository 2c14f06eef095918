namespace Edge.Testing.KubeApi;

/// <summary>
/// Faults a test turns on and off while the server runs: latency per verb, failing requests with 500 or 429, paused
/// writes, dropped watch connections, forced compaction and a smaller event window (both make old versions 410).
/// </summary>
public sealed class FaultInjector
{
    private readonly Lock _gate = new();
    private readonly ObjectStore _store;
    private readonly Dictionary<string, TimeSpan> _latency = new(StringComparer.Ordinal);
    private readonly List<FailureRule> _failures = [];
    private TaskCompletionSource _writesOpen = NewOpenGate();

    internal FaultInjector(ObjectStore store) => _store = store;

    /// <summary>True while <see cref="PauseWrites"/> holds writes back.</summary>
    public bool WritesPaused
    {
        get
        {
            lock (_gate)
            {
                return !_writesOpen.Task.IsCompleted;
            }
        }
    }

    /// <summary>Delays every request of a verb (get, list, watch, create, update, patch, delete; "*" = all) before it is served.</summary>
    public void SetLatency(string verb, TimeSpan delay)
    {
        lock (_gate)
        {
            _latency[verb] = delay;
        }
    }

    /// <summary>Fails the <paramref name="nth"/> request from now that matches (all requests when no predicate) with <paramref name="statusCode"/>, once.</summary>
    public void FailNth(int nth, int statusCode, Func<RequestInfo, bool>? match = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nth, 1);
        lock (_gate)
        {
            _failures.Add(new FailureRule(match ?? (_ => true), statusCode, nth - 1, 1));
        }
    }

    /// <summary>Fails every matching request (up to <paramref name="times"/>) with <paramref name="statusCode"/> (500 InternalError, 429 TooManyRequests with Retry-After: 1).</summary>
    public void FailWhen(Func<RequestInfo, bool> match, int statusCode, int times = int.MaxValue)
    {
        lock (_gate)
        {
            _failures.Add(new FailureRule(match, statusCode, 0, times));
        }
    }

    /// <summary>Holds every write (create, update, patch, delete) until <see cref="ResumeWrites"/>; reads go on.</summary>
    public void PauseWrites()
    {
        lock (_gate)
        {
            if (_writesOpen.Task.IsCompleted)
            {
                _writesOpen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    public void ResumeWrites()
    {
        lock (_gate)
        {
            _writesOpen.TrySetResult();
        }
    }

    /// <summary>
    /// Drops the open watches that match: <see cref="WatchDropMode.Silent"/> stops writing and never closes the
    /// connection (no FIN, as a dead peer or a lost NAT entry looks); <see cref="WatchDropMode.Abort"/> resets it.
    /// Returns how many it dropped.
    /// </summary>
    public int DropWatches(WatchDropMode mode, Func<RequestInfo, bool>? match = null)
    {
        var dropped = 0;
        foreach (var w in _store.Watchers().Where(w => match?.Invoke(w.Request) ?? true))
        {
            w.Drop(mode);
            dropped++;
        }

        return dropped;
    }

    /// <summary>The number of watch streams open now.</summary>
    public int OpenWatches => _store.Watchers().Count;

    /// <summary>
    /// Compacts to the current resourceVersion: any watch or continue token from an older one gets 410 Expired.
    /// With <paramref name="expireOpenWatches"/>, every open watch also gets a 410 ERROR event and is closed.
    /// </summary>
    public void Compact(bool expireOpenWatches = false) => _store.Compact(expireOpenWatches);

    /// <summary>Shrinks (or grows) the window of replayable events; events pushed out make their versions 410.</summary>
    public void SetEventWindow(int events) => _store.ResizeWindow(events);

    /// <summary>Turns every fault off and releases paused writes.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _latency.Clear();
            _failures.Clear();
            _writesOpen.TrySetResult();
        }
    }

    /// <summary>Applies latency, then returns the injected failure for this request, if any.</summary>
    internal async Task<ApiError?> BeforeAsync(RequestInfo request, CancellationToken cancellationToken)
    {
        TimeSpan delay;
        ApiError? failure = null;
        lock (_gate)
        {
            delay = _latency.GetValueOrDefault(request.Verb, _latency.GetValueOrDefault("*"));
            foreach (var rule in _failures.Where(r => r.Times > 0 && r.Match(request)))
            {
                if (rule.Skip > 0)
                {
                    rule.Skip--;
                    continue;
                }

                rule.Times--;
                failure = rule.StatusCode == 429 ? StatusBodies.TooManyRequests(1) : StatusBodies.InternalError($"injected fault ({rule.StatusCode})");
                if (rule.StatusCode is not (429 or 500))
                {
                    failure.Status["code"] = rule.StatusCode;
                    failure = new ApiError(failure.Status);
                }

                break;
            }
        }

        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, cancellationToken);
        }

        return failure;
    }

    internal Task WaitForWritesAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _writesOpen.Task.WaitAsync(cancellationToken);
        }
    }

    private static TaskCompletionSource NewOpenGate()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    private sealed class FailureRule(Func<RequestInfo, bool> match, int statusCode, int skip, int times)
    {
        public Func<RequestInfo, bool> Match { get; } = match;

        public int StatusCode { get; } = statusCode;

        public int Skip { get; set; } = skip;

        public int Times { get; set; } = times;
    }
}
