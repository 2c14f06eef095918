using System.Net.Http.Headers;
using Alb.Core.Policies;

namespace Alb.Auth;

/// <summary>
/// The auth-set headers of a route on the upstream request (external auth's auth-response-headers and JWT's
/// claims-to-headers): every client copy is removed first, also under another spelling a backend may fold into the
/// same name (<c>X_User</c> for <c>X-User</c>, any case), then the values of the passed checks are set. A header
/// without a value is not sent at all (nginx sends no empty header).
/// </summary>
internal sealed class AuthHeaderNames
{
    private readonly HashSet<string> _folded;
    private readonly string[] _names;

    private AuthHeaderNames(IEnumerable<string> names)
    {
        _names = [.. names.Distinct(StringComparer.OrdinalIgnoreCase)];
        _folded = new(_names.Select(Fold), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The names a route's auth checks set; null when it has neither external auth nor JWT.</summary>
    public static AuthHeaderNames? For(RoutePolicies policies) =>
        policies.ExternalAuth is null && policies.Jwt is null
            ? null
            : new((policies.ExternalAuth?.ResponseHeaders ?? []).Concat(policies.Jwt?.ClaimsToHeaders.Select(c => c.Header) ?? []));

    /// <summary>
    /// The client's copies are found among the names the client sent (Kestrel's header names, cheap to walk), not by
    /// enumerating the upstream request's headers, which would parse every value on every request.
    /// </summary>
    public void Apply(HttpRequestHeaders headers, IHeaderDictionary sent, AuthHeadersFeature? answer, JwtHeadersFeature? claims)
    {
        foreach (var name in _names)
        {
            headers.Remove(name); // any case: HttpHeaders names are case-insensitive
        }

        foreach (var name in sent.Keys)
        {
            if (name.Contains('_', StringComparison.Ordinal) && _folded.Contains(Fold(name)))
            {
                headers.Remove(name);
            }
        }

        foreach (var (name, value) in (answer?.Headers ?? []).Concat(claims?.Headers ?? []))
        {
            if (value is not null)
            {
                headers.TryAddWithoutValidation(name, value);
            }
        }
    }

    private static string Fold(string name) => name.Replace('_', '-');
}
