using System.Text.RegularExpressions;
using Alb.Core.Policies;
using Alb.Core.Routing;
using Alb.Proxy;

namespace Alb.Pipeline;

/// <summary>
/// ingress-nginx's <c>route_to_alternative_balancer</c>: per request, the canary's pool or the primary's. A canary
/// without ready endpoints is never chosen; then header, cookie and weight decide, in that order.
/// </summary>
internal sealed class CanarySelector
{
    private readonly CanaryPolicy _policy;
    private readonly Regex? _pattern;

    public CanarySelector(CanaryPolicy policy, BackendPool pool)
    {
        _policy = policy;
        Pool = pool;
        if (policy.HeaderPattern is { } pattern && !policy.HeaderPatternInvalid)
        {
            CanaryPattern.TryCompile(pattern, out _pattern);
        }
    }

    public BackendPool Pool { get; }

    public bool Chooses(HttpContext context)
    {
        if (Pool.Backend.Problem is not null || Pool.Endpoints.Length == 0)
        {
            return false;
        }

        var request = context.Request;
        if (_policy.Header is { } name && request.Headers.TryGetValue(name, out var values) && values.Count > 0)
        {
            var header = values[0] ?? "";
            if (_policy.HeaderValue is { } expected)
            {
                if (header == expected)
                {
                    return true;
                }
            }
            else if (_policy.HeaderPattern is not null)
            {
                if (_pattern is null)
                {
                    return false; // a regex error: the primary, without looking further (as ingress-nginx)
                }

                if (header.Length <= 4096 && _pattern.IsMatch(header))
                {
                    return true;
                }
            }
            else if (header == "always")
            {
                return true;
            }
            else if (header == "never")
            {
                return false;
            }
        }

        if (_policy.Cookie is { } cookieName && request.Cookies.TryGetValue(cookieName, out var cookie))
        {
            if (cookie == "always")
            {
                return true;
            }

            if (cookie == "never")
            {
                return false;
            }
        }

        return _policy.Weight > 0 && Random.Shared.Next(1, _policy.WeightTotal + 1) <= _policy.Weight;
    }
}
