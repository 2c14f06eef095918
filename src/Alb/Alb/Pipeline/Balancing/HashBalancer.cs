using System.Text;
using Alb.Core.Routing;
using Alb.Proxy;

namespace Alb.Pipeline.Balancing;

/// <summary>
/// <c>upstream-hash-by</c>: the key template evaluated per request, hashed onto a ring of the pool's endpoints (or,
/// with a subset size, of groups of endpoints, then a random member of the group), as ingress-nginx's chash and
/// chashsubset. A key that lands on an endpoint marked failed moves to the next healthy one.
/// </summary>
internal sealed class HashBalancer : Balancer
{
    private readonly (HashKeyPart Part, string Value)[] _key;
    private readonly HashRing _ring;
    private readonly EndpointState[][] _groups;

    public HashBalancer(string template, BackendPool pool, int subsetSize)
    {
        _key = HashKey.TryParse(template, out var key, out _) ? key : throw new ArgumentException("upstream-hash-by was validated in translation", nameof(template));
        var endpoints = pool.Endpoints;
        if (subsetSize > 0 && endpoints.Length > 0)
        {
            var sets = (endpoints.Length + subsetSize - 1) / subsetSize;
            _groups = [.. Enumerable.Range(0, sets).Select(s => Enumerable.Range(0, subsetSize).Select(i => endpoints[((s * subsetSize) + i) % endpoints.Length]).ToArray())];
            _ring = new HashRing([.. Enumerable.Range(1, sets).Select(s => $"set{s}")]);
        }
        else
        {
            _groups = [.. endpoints.Select(e => new[] { e })];
            _ring = new HashRing([.. endpoints.Select(e => e.Authority)]);
        }
    }

    public override EndpointState Pick(HttpContext context, BackendPool pool, EndpointState? avoid, long now)
    {
        if (_groups.Length == 0)
        {
            return pool.Pick(now, avoid)!;
        }

        var key = Encoding.UTF8.GetBytes(Evaluate(context));
        var index = _ring.Find(key);
        for (var i = 0; i < _groups.Length; i++)
        {
            var group = _groups[(index + i) % _groups.Length];
            var endpoint = group.Length == 1 ? group[0] : group[Random.Shared.Next(group.Length)];
            if (endpoint != avoid && endpoint.IsHealthy(now))
            {
                return endpoint;
            }
        }

        return pool.Pick(now, avoid)!;
    }

    private string Evaluate(HttpContext context) => RequestVariables.Evaluate(_key, context);
}
