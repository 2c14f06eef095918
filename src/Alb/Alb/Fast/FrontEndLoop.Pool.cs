using Alb.Proxy;

namespace Alb.Fast;

/// <summary>The loop's keep-alive backend connections: rented, returned, swept, dropped.</summary>
internal sealed partial class FrontEndLoop
{
    /// <summary>The table the last sweep saw, and the endpoints in it: an idle connection to any other is closed.</summary>
    private ProxyState? _sweptState;
    private HashSet<EndpointState>? _live;

    private LoopUpstream? RentIdle(EndpointState endpoint, long now)
    {
        if (!_idle.TryGetValue(endpoint, out var stack))
        {
            return null;
        }

        while (stack.TryPop(out var up))
        {
            if (now - up.LastUsed <= up.IdleTicks)
            {
                if (stack.Count == 0)
                {
                    _idle.Remove(endpoint);
                }

                return up;
            }

            Drop(up);
        }

        _idle.Remove(endpoint);
        return null;
    }

    /// <summary>Back to the loop's pool if it may carry another request (upstream-keepalive-requests, -connections per loop, as per nginx worker).</summary>
    private void ReturnIdle(LoopUpstream up, LoopRoute route)
    {
        up.Owner = null;
        up.Deadline = 0;
        var settings = route.Upstream;
        if (settings.MaxIdle <= 0 || (settings.RequestsPerConnection > 0 && up.Requests >= settings.RequestsPerConnection))
        {
            Drop(up);
            return;
        }

        if (!_idle.TryGetValue(up.Endpoint, out var stack))
        {
            stack = new Stack<LoopUpstream>();
            _idle[up.Endpoint] = stack;
        }

        if (stack.Count >= settings.MaxIdle)
        {
            Drop(up);
            return;
        }

        up.LastUsed = Now;
        up.IdleTicks = (long)(settings.IdleTimeoutTicks * (double)Frequency / settings.Time.TimestampFrequency);
        Interest(up, Native.EpollIn); // a close by the backend while idle shows as readable
        stack.Push(up);
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
        foreach (var (endpoint, stack) in _idle)
        {
            var live = _live?.Contains(endpoint) != false;
            if (live && stack.All(up => now - up.LastUsed <= up.IdleTicks))
            {
                continue;
            }

            var kept = stack.Where(up => live && now - up.LastUsed <= up.IdleTicks).Reverse().ToList();
            foreach (var up in stack.Where(up => !live || now - up.LastUsed > up.IdleTicks).ToList())
            {
                Drop(up, fromPool: false);
            }

            stack.Clear();
            kept.ForEach(stack.Push);
            if (stack.Count == 0)
            {
                (empty ??= []).Add(endpoint);
            }
        }

        empty?.ForEach(e => _idle.Remove(e));
    }

    /// <summary>Closes a backend connection (and takes it out of the idle pool if it is there).</summary>
    private void Drop(LoopUpstream up, bool fromPool = true)
    {
        if (_slots[up.Slot] != up)
        {
            return;
        }

        if (fromPool && up.Owner is null && _idle.TryGetValue(up.Endpoint, out var stack) && stack.Contains(up))
        {
            var kept = stack.Where(u => u != up).Reverse().ToList();
            stack.Clear();
            kept.ForEach(stack.Push);
        }

        up.Owner = null;
        Release(up.Slot);
        up.Socket.Dispose(); // also leaves the epoll set
    }
}
