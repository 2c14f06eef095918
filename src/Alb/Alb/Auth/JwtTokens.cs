using Alb.Core.Policies;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Alb.Auth;

/// <summary>
/// Where a request's JWT is (<c>alb.edge.io/auth-jwt-token-source</c>): the same reading for the general path and
/// the loop. The token is a slice of the request's own string (no copy until a token must be validated); Found with
/// an empty token is a token that never verifies (two copies of a header), not a missing one.
/// </summary>
internal static class JwtTokens
{
    /// <summary>The general path's token.</summary>
    public static (bool Found, ReadOnlyMemory<char> Token) Read(JwtTokenSource source, HttpContext context) => source.Location switch
    {
        JwtTokenLocation.Cookie => FromCookie(context.Request.Cookies.TryGetValue(source.Name, out var cookie) ? cookie : null),
        JwtTokenLocation.Header => FromHeader(context.Request.Headers[source.Name]),
        _ => FromAuthorization(context.Request.Headers.Authorization),
    };

    /// <summary>The loop's token, from the request's fields by name.</summary>
    public static (bool Found, ReadOnlyMemory<char> Token) Read(JwtTokenSource source, Func<string, StringValues> fields) => source.Location switch
    {
        JwtTokenLocation.Cookie => FromCookie(Pipeline.CookieFields.Get(fields(HeaderNames.Cookie), source.Name)),
        JwtTokenLocation.Header => FromHeader(fields(source.Name)),
        _ => FromAuthorization(fields(HeaderNames.Authorization)),
    };

    /// <summary>A cookie's token: absent or blank is none.</summary>
    private static (bool Found, ReadOnlyMemory<char> Token) FromCookie(string? cookie) =>
        cookie.AsMemory().Trim() is { Length: > 0 } c ? (true, c) : (false, default);

    /// <summary>A named header's token: absent or empty is none; two copies are a token that never verifies.</summary>
    private static (bool Found, ReadOnlyMemory<char> Token) FromHeader(StringValues values) =>
        values.Count == 0 || values.ToString().AsMemory().Trim() is not { Length: > 0 } v ? (false, default) : (true, values.Count > 1 ? default : v);

    /// <summary><c>Authorization: Bearer</c>'s token; two Authorization headers are refused, never guessed.</summary>
    private static (bool Found, ReadOnlyMemory<char> Token) FromAuthorization(StringValues authorization)
    {
        if (authorization.Count != 1 || authorization[0] is not { } header || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization.Count > 1 ? (true, default) : (false, default);
        }

        return header.AsMemory(7).Trim(' ') is { Length: > 0 } bearer ? (true, bearer) : (false, default);
    }
}
