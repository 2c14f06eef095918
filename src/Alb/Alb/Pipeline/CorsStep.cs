using System.Globalization;
using Alb.Core.Policies;
using Microsoft.Extensions.Primitives;

namespace Alb.Pipeline;

/// <summary>
/// CORS as ingress-nginx's template answers it. With <c>*</c>: every answer carries the headers and every OPTIONS is
/// answered 204. With an origin list: an answer to an allowed <c>Origin</c> carries the headers (the origin echoed,
/// plus <c>Vary: Origin</c>) and its OPTIONS is answered 204; any other request is handled as if CORS were off.
/// The headers replace the backend's own (nginx's <c>more_set_headers</c>) and go on refusals too.
/// </summary>
internal sealed class CorsStep : RouteStep
{
    private static readonly StringValues Star = "*";
    private static readonly StringValues PreflightType = "text/plain charset=UTF-8";
    private readonly CorsPolicy _policy;
    private readonly HashSet<string> _origins;
    private readonly StringValues _methods;
    private readonly StringValues _headers;
    private readonly StringValues _expose;
    private readonly StringValues _maxAge;

    public CorsStep(CorsPolicy policy)
    {
        _policy = policy;
        _origins = new HashSet<string>(policy.Origins, StringComparer.OrdinalIgnoreCase);
        _methods = policy.AllowMethods;
        _headers = policy.AllowHeaders;
        _expose = policy.ExposeHeaders;
        _maxAge = policy.MaxAgeSeconds.ToString(CultureInfo.InvariantCulture);
    }

    public override ValueTask<bool> InvokeAsync(HttpContext context)
    {
        if (!Apply(context))
        {
            return ValueTask.FromResult(false);
        }

        if (!HttpMethods.IsOptions(context.Request.Method))
        {
            return ValueTask.FromResult(false);
        }

        var response = context.Response;
        response.StatusCode = StatusCodes.Status204NoContent;
        response.Headers.ContentType = PreflightType;
        response.ContentLength = 0;
        return ValueTask.FromResult(true);
    }

    /// <summary>
    /// The origin the answer echoes for a request with these Origin fields (<c>*</c> with any origin allowed), or
    /// null when the origin is not allowed: the request is handled as if CORS were off. The loop decides with it too.
    /// </summary>
    public string? Echo(StringValues origins) =>
        _policy.AnyOrigin ? "*" : origins.Count == 1 && Allowed(origins.ToString()) ? origins.ToString() : null;

    /// <summary>Sets (replaces) the CORS headers when the request's origin is allowed. Idempotent: run again after the backend's headers are copied.</summary>
    public bool Apply(HttpContext context)
    {
        StringValues origin;
        if (_policy.AnyOrigin)
        {
            origin = Star;
        }
        else
        {
            origin = context.Request.Headers.Origin;
            if (Echo(origin) is null)
            {
                return false;
            }
        }

        var headers = context.Response.Headers;
        headers.AccessControlAllowOrigin = origin;
        if (_policy.AllowCredentials)
        {
            headers.AccessControlAllowCredentials = "true";
        }

        headers.AccessControlAllowMethods = _methods;
        headers.AccessControlAllowHeaders = _headers;
        if (_policy.ExposeHeaders is not null)
        {
            headers.AccessControlExposeHeaders = _expose;
        }

        headers.AccessControlMaxAge = _maxAge;
        if (!_policy.AnyOrigin)
        {
            headers.Vary = "Origin";
        }

        return true;
    }

    /// <summary>The fields <see cref="Apply"/> sets, in its order, for an answer written as bytes (the loop's).</summary>
    public IEnumerable<(string Name, string? Value)> Fields()
    {
        yield return ("Access-Control-Allow-Origin", null); // the origin echoed, per request
        if (_policy.AllowCredentials)
        {
            yield return ("Access-Control-Allow-Credentials", "true");
        }

        yield return ("Access-Control-Allow-Methods", _methods.ToString());
        yield return ("Access-Control-Allow-Headers", _headers.ToString());
        if (_policy.ExposeHeaders is not null)
        {
            yield return ("Access-Control-Expose-Headers", _expose.ToString());
        }

        yield return ("Access-Control-Max-Age", _maxAge.ToString());
        if (!_policy.AnyOrigin)
        {
            yield return ("Vary", "Origin");
        }
    }

    private bool Allowed(string origin)
    {
        if (origin.Length > 300)
        {
            return false;
        }

        if (_origins.Contains(origin))
        {
            return true;
        }

        foreach (var wildcard in _policy.WildcardOrigins)
        {
            if (MatchesWildcard(origin, wildcard))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary><c>scheme://LABEL.suffix[:port]</c> with exactly one label of letters, digits and '-'.</summary>
    internal static bool MatchesWildcard(ReadOnlySpan<char> origin, WildcardOrigin wildcard)
    {
        if (!origin.StartsWith(wildcard.Scheme, StringComparison.OrdinalIgnoreCase) || !origin[wildcard.Scheme.Length..].StartsWith("://", StringComparison.Ordinal))
        {
            return false;
        }

        var rest = origin[(wildcard.Scheme.Length + 3)..];
        if (wildcard.Port is { } port)
        {
            if (!rest.EndsWith(port, StringComparison.Ordinal) || rest.Length <= port.Length || rest[^(port.Length + 1)] != ':')
            {
                return false;
            }

            rest = rest[..^(port.Length + 1)];
        }

        var dot = rest.IndexOf('.');
        if (dot <= 0 || !rest[(dot + 1)..].Equals(wildcard.Suffix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        foreach (var c in rest[..dot])
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }
}
