namespace VipDaemon.Daemon;

/// <summary>
/// The protocol thread's queue: bounded, and waiting with Monitor.Wait, which blocks at once instead of spinning
/// (BlockingCollection's SemaphoreSlim spins in sched_yield on every wake-up: measurable CPU for a daemon that
/// handles a few events a second).
/// </summary>
internal sealed class Inbox(int capacity)
{
    private readonly Queue<object> _items = new();
    private readonly object _gate = new();
    private bool _wake;

    /// <summary>False when the queue is full (the caller counts the drop).</summary>
    public bool TryAdd(object item)
    {
        lock (_gate)
        {
            if (_items.Count >= capacity)
            {
                return false;
            }

            _items.Enqueue(item);
            Monitor.Pulse(_gate);
            return true;
        }
    }

    /// <summary>Ends the current or next wait early, without an item (a timer deadline moved earlier).</summary>
    public void Wake()
    {
        lock (_gate)
        {
            _wake = true;
            Monitor.Pulse(_gate);
        }
    }

    /// <summary>Waits up to <paramref name="timeoutMs"/> (Timeout.Infinite for ever) for an item or a <see cref="Wake"/>.</summary>
    public bool TryTake(out object? item, int timeoutMs)
    {
        lock (_gate)
        {
            if (_items.Count == 0 && !_wake)
            {
                Monitor.Wait(_gate, timeoutMs);
            }

            _wake = false;
            return _items.TryDequeue(out item);
        }
    }
}
