using Alb.Proxy;

namespace Alb.Fast;

/// <summary>The loop's keep-alive backend connections: rented, returned, swept, dropped.</summary>
internal sealed partial class FrontEndLoop
{
    /// <summary>The table the last sweep saw, and the endpoints in it: an idle connection to any other is closed.</summary>
    private ProxyState? _sweptState;
    private HashSet<EndpointState>? _live;

    /// <summary>The most recently used idle connection to <paramref name="endpoint"/> (the warmest), skipping any past the timeout.</summary>
    private LoopUpstream? RentIdle(EndpointState endpoint, long now)
    {
        if (!_idle.TryGetValue(endpoint, out var idle))
        {
            return null;
        }

        LoopUpstream? found = null;
        while (found is null && idle.Count > 0)
        {
            var up = idle[^1];
            idle.RemoveAt(idle.Count - 1);
            if (now - up.LastUsed <= up.IdleTicks)
            {
                found = up;
            }
            else
            {
                Dispose(up);
            }
        }

        if (idle.Count == 0)
        {
            _idle.Remove(endpoint);
        }

        return found;
    }

    /// <summary>Back to the loop's pool if it may carry another request (upstream-keepalive-requests, -connections per loop, as per nginx worker).</summary>
    private void ReturnIdle(LoopUpstream up, LoopRoute route)
    {
        up.Owner = null;
        up.Deadline = 0;
        up.ReleaseBuffer();
        var settings = route.Upstream;
        _idle.TryGetValue(up.Endpoint, out var idle);
        if (settings.MaxIdle <= 0 || (settings.RequestsPerConnection > 0 && up.Requests >= settings.RequestsPerConnection) || idle?.Count >= settings.MaxIdle)
        {
            Dispose(up);
            return;
        }

        if (idle is null)
        {
            idle = [];
            _idle[up.Endpoint] = idle;
        }

        up.LastUsed = Now;
        up.IdleTicks = (long)(settings.IdleTimeoutTicks * (double)Frequency / settings.Time.TimestampFrequency);
        Interest(up, Native.EpollIn); // a close by the backend while idle shows as readable
        idle.Add(up);
    }

    /// <summary>Closes idle connections past upstream-keepalive-timeout, and all those of endpoints a publish removed.</summary>
    private void SweepIdle(long now)
    {
        var state = _publisher.Current;
        if (state is not null && !ReferenceEquals(state, _sweptState))
        {
            _sweptState = state;
            _live = new HashSet<EndpointState>(state.Pools.Values.SelectMany(p => p.Endpoints), ReferenceEqualityComparer.Instance);
        }

        List<EndpointState>? empty = null;
        foreach (var (endpoint, idle) in _idle)
        {
            var live = _live?.Contains(endpoint) != false;
            idle.RemoveAll(up => (!live || now - up.LastUsed > up.IdleTicks) && Dispose(up));
            if (idle.Count == 0)
            {
                (empty ??= []).Add(endpoint);
            }
        }

        empty?.ForEach(e => _idle.Remove(e));
    }

    /// <summary>Closes a backend connection, taking it out of the idle pool if it is there.</summary>
    private void Drop(LoopUpstream up)
    {
        if (up.Owner is null && _idle.TryGetValue(up.Endpoint, out var idle) && idle.Remove(up) && idle.Count == 0)
        {
            _idle.Remove(up.Endpoint);
        }

        Dispose(up);
    }

    /// <summary>Closes the connection (once); true, so it reads as a predicate.</summary>
    private bool Dispose(LoopUpstream up)
    {
        if (_slots[up.Slot] == up)
        {
            up.Owner = null;
            up.ReleaseBuffer();
            Release(up.Slot);
            up.Socket.Dispose(); // also leaves the epoll set
        }

        return true;
    }
}
