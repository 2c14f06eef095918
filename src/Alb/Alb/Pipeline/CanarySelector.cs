using System.Text.RegularExpressions;
using Alb.Core.Policies;
using Alb.Core.Routing;
using Alb.Proxy;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

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

    /// <summary>The general path's choice.</summary>
    public bool Chooses(HttpContext context)
    {
        var request = context.Request;
        return Chooses(
            _policy.Header is { } name && request.Headers.TryGetValue(name, out var values) && values.Count > 0 ? values[0] ?? "" : null,
            request,
            static (request, name) => request.Cookies.TryGetValue(name, out var cookie) ? cookie : null);
    }

    /// <summary>The loop's choice, from the request's fields by name (the cookie read as the general path reads it).</summary>
    public bool Chooses(Func<string, StringValues> fields) => Chooses(
        _policy.Header is { } name && fields(name) is { Count: > 0 } values ? values[0] ?? "" : null,
        fields,
        static (fields, name) => CookieFields.Get(fields(HeaderNames.Cookie), name));

    /// <param name="header">The first value of the canary header, null when the request has none.</param>
    private bool Chooses<T>(string? header, T request, Func<T, string, string?> cookieOf)
    {
        if (Pool.Backend.Problem is not null || Pool.Endpoints.Length == 0)
        {
            return false;
        }

        if (header is not null)
        {
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

        if (_policy.Cookie is { } cookieName && cookieOf(request, cookieName) is { } cookie)
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
