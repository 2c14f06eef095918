using System.Collections.Concurrent;
using System.Net;

namespace Alb.Pipeline;

/// <summary>
/// nginx's <c>limit_req ... burst=B nodelay</c> per client address: each address has an excess that drains at
/// <c>rate</c> and grows by one per request; a request that would take it above the burst is refused. Entries are
/// bounded (like nginx's 5 MB zone); when the table is full, idle entries are dropped, and if none is idle a new
/// address is refused, as nginx refuses when its zone is exhausted.
/// </summary>
internal sealed class RequestRateLimiter(double perSecond, int burst, TimeProvider time, int capacity = 65_536)
{
    private readonly ConcurrentDictionary<IPAddress, Bucket> _buckets = new();
    private readonly double _burst = burst;

    public int Count => _buckets.Count;

    public bool TryAcquire(IPAddress client)
    {
        var now = time.GetTimestamp();
        if (!_buckets.TryGetValue(client, out var bucket))
        {
            if (_buckets.Count >= capacity && !Sweep(now))
            {
                return false;
            }

            bucket = _buckets.GetOrAdd(client, static _ => new Bucket());
        }

        lock (bucket)
        {
            var elapsed = bucket.Last == 0 ? 0 : (now - bucket.Last) / (double)time.TimestampFrequency;
            var excess = Math.Max(bucket.Excess - (perSecond * elapsed), 0) + 1;
            if (excess > _burst + 1)
            {
                return false;
            }

            bucket.Excess = excess;
            bucket.Last = now;
            return true;
        }
    }

    /// <summary>Drops the entries whose excess has drained away; true when room was made.</summary>
    private bool Sweep(long now)
    {
        var removed = false;
        foreach (var (address, bucket) in _buckets)
        {
            bool idle;
            lock (bucket)
            {
                idle = bucket.Excess - (perSecond * (now - bucket.Last) / time.TimestampFrequency) <= 0;
            }

            if (idle && _buckets.TryRemove(address, out _))
            {
                removed = true;
            }
        }

        return removed;
    }

    private sealed class Bucket
    {
        public double Excess;
        public long Last;
    }
}

/// <summary>nginx's <c>limit_conn</c> per client address: at most N requests in flight; bounded like the rate limiter.</summary>
internal sealed class ConnectionLimiter(int limit, int capacity = 65_536)
{
    private readonly ConcurrentDictionary<IPAddress, StrongBox> _counts = new();

    public IDisposable? TryAcquire(IPAddress client)
    {
        if (!_counts.TryGetValue(client, out var count))
        {
            if (_counts.Count >= capacity)
            {
                foreach (var (address, box) in _counts)
                {
                    if (Volatile.Read(ref box.Value) == 0)
                    {
                        _counts.TryRemove(address, out _);
                    }
                }

                if (_counts.Count >= capacity)
                {
                    return null;
                }
            }

            count = _counts.GetOrAdd(client, static _ => new StrongBox());
        }

        if (Interlocked.Increment(ref count.Value) > limit)
        {
            Interlocked.Decrement(ref count.Value);
            return null;
        }

        return new Release(count);
    }

    private sealed class StrongBox
    {
        public int Value;
    }

    private sealed class Release(StrongBox count) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                Interlocked.Decrement(ref count.Value);
            }
        }
    }
}
