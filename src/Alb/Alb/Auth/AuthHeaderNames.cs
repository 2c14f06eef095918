using System.Net.Http.Headers;
using Alb.Core.Policies;

namespace Alb.Auth;

/// <summary>
/// The auth-response-headers of a route on the upstream request: every client copy is removed first, also under
/// another spelling a backend may fold into the same name (<c>X_User</c> for <c>X-User</c>, any case), then the
/// values of the auth answer are set. A header the auth answer lacks is not sent at all (nginx sends no empty header).
/// </summary>
internal sealed class AuthHeaderNames
{
    private readonly HashSet<string> _folded;

    private AuthHeaderNames(IEnumerable<string> names) => _folded = new(names.Select(Fold), StringComparer.OrdinalIgnoreCase);

    public static AuthHeaderNames Of(ExternalAuthPolicy policy) => new(policy.ResponseHeaders);

    public void Apply(HttpRequestHeaders headers, AuthHeadersFeature? answer)
    {
        if (_folded.Count > 0)
        {
            foreach (var name in headers.Select(h => h.Key).Where(n => _folded.Contains(Fold(n))).ToList())
            {
                headers.Remove(name);
            }
        }

        foreach (var (name, value) in answer?.Headers ?? [])
        {
            if (value is not null)
            {
                headers.TryAddWithoutValidation(name, value);
            }
        }
    }

    private static string Fold(string name) => name.Replace('_', '-');
}
