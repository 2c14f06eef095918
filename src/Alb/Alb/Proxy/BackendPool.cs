using Alb.Core.Routing;

namespace Alb.Proxy;

/// <summary>The live side of a <see cref="Backend"/>: round-robin over its endpoints, skipping ones marked failed.</summary>
internal sealed class BackendPool(Backend backend, EndpointState[] endpoints)
{
    private uint _next;

    public Backend Backend { get; } = backend;

    public EndpointState[] Endpoints { get; } = endpoints;

    /// <summary>The next healthy endpoint, or, when all are marked failed, the next one anyway (nginx does the same).</summary>
    public EndpointState? Pick(long now, EndpointState? avoid = null)
    {
        var count = Endpoints.Length;
        if (count == 0)
        {
            return null;
        }

        var start = Interlocked.Increment(ref _next);
        for (var i = 0; i < count; i++)
        {
            var candidate = Endpoints[(int)((start + (uint)i) % (uint)count)];
            if (candidate != avoid && candidate.IsHealthy(now))
            {
                return candidate;
            }
        }

        var fallback = Endpoints[(int)(start % (uint)count)];
        return fallback == avoid && count > 1 ? Endpoints[(int)((start + 1) % (uint)count)] : fallback;
    }
}
