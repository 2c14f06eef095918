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

    private AuthHeaderNames(IEnumerable<string> names) => _folded = new(names.Select(Fold), StringComparer.OrdinalIgnoreCase);

    /// <summary>The names a route's auth checks set; null when it has neither external auth nor JWT.</summary>
    public static AuthHeaderNames? For(RoutePolicies policies) =>
        policies.ExternalAuth is null && policies.Jwt is null
            ? null
            : new((policies.ExternalAuth?.ResponseHeaders ?? []).Concat(policies.Jwt?.ClaimsToHeaders.Select(c => c.Header) ?? []));

    public void Apply(HttpRequestHeaders headers, AuthHeadersFeature? answer, JwtHeadersFeature? claims)
    {
        if (_folded.Count > 0)
        {
            foreach (var name in headers.Select(h => h.Key).Where(n => _folded.Contains(Fold(n))).ToList())
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
