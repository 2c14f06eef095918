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
    private readonly HashSet<string> _exact;
    private readonly string[] _names;

    private AuthHeaderNames(IEnumerable<string> names)
    {
        _names = [.. names.Distinct(StringComparer.OrdinalIgnoreCase)];
        _exact = new(_names, StringComparer.OrdinalIgnoreCase);
        _folded = new(_names.Select(Fold), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Whether a field the client sent is one <see cref="Apply"/> removes (the lean client's copy skips it).</summary>
    public bool Removes(string sent) => _exact.Contains(sent) || (sent.Contains('_', StringComparison.Ordinal) && _folded.Contains(Fold(sent)));

    /// <summary>As <see cref="Removes(string)"/> for a name as the front end's loop has it (bytes; no string made).</summary>
    public bool Removes(ReadOnlySpan<byte> sent)
    {
        if (sent.Length > 256)
        {
            return Removes(System.Text.Encoding.Latin1.GetString(sent));
        }

        Span<char> name = stackalloc char[sent.Length];
        System.Text.Encoding.Latin1.GetChars(sent, name);
        if (_exact.GetAlternateLookup<ReadOnlySpan<char>>().Contains(name))
        {
            return true;
        }

        if (!name.Contains('_'))
        {
            return false;
        }

        name.Replace('_', '-');
        return _folded.GetAlternateLookup<ReadOnlySpan<char>>().Contains(name);
    }

    /// <summary>The values the passed checks set, in the order <see cref="Apply"/> adds them; a null value is not sent.</summary>
    /// <remarks>A struct enumeration, not an iterator: it runs on every request of an auth route.</remarks>
    public static PassedValues Values(AuthHeadersFeature? answer, JwtHeadersFeature? claims) => new(answer?.Headers, claims?.Headers);

    /// <summary>The (name, value) pairs of external auth's answer, then JWT's claims, without the null values.</summary>
    public readonly struct PassedValues(List<(string Name, string? Value)>? first, List<(string Name, string? Value)>? second)
    {
        public Enumerator GetEnumerator() => new(first, second);

        public struct Enumerator(List<(string Name, string? Value)>? first, List<(string Name, string? Value)>? second)
        {
            private int _index = -1;
            private bool _second;

            public (string Name, string Value) Current { get; private set; }

            public bool MoveNext()
            {
                while (true)
                {
                    var list = _second ? second : first;
                    if (list is not null && ++_index < list.Count)
                    {
                        if (list[_index] is (var name, { } value))
                        {
                            Current = (name, value);
                            return true;
                        }

                        continue;
                    }

                    if (_second)
                    {
                        return false;
                    }

                    (_second, _index) = (true, -1);
                }
            }
        }
    }

    /// <summary>The names a route's auth checks set; null when it has neither external auth nor JWT.</summary>
    public static AuthHeaderNames? For(RoutePolicies policies) =>
        policies.ExternalAuth is null && policies.Jwt is null
            ? null
            : new((policies.ExternalAuth?.ResponseHeaders ?? []).Concat(policies.Jwt?.ClaimsToHeaders.Select(c => c.Header) ?? []));

    /// <summary>
    /// The names the route sets are removed (any case), then the client's underscore spellings of them, found by one
    /// walk over the names the client sent (Kestrel's, cheap to walk). Not by enumerating the upstream request's
    /// headers (that would parse every value), nor through <c>IHeaderDictionary.Keys</c> (Kestrel builds a set of the
    /// names for it on every call).
    /// </summary>
    public void Apply(HttpRequestHeaders headers, IHeaderDictionary sent, AuthHeadersFeature? answer, JwtHeadersFeature? claims)
    {
        foreach (var name in _names)
        {
            headers.Remove(name); // any case (HttpHeaders names are case-insensitive), and whoever set it before
        }

        foreach (var pair in sent)
        {
            if (pair.Key.Contains('_', StringComparison.Ordinal) && _folded.Contains(Fold(pair.Key)))
            {
                headers.Remove(pair.Key);
            }
        }

        foreach (var (name, value) in Values(answer, claims))
        {
            headers.TryAddWithoutValidation(name, value);
        }
    }

    /// <summary>The name with <c>_</c> read as <c>-</c> (the same instance when it has none).</summary>
    private static string Fold(string name) => name.Replace('_', '-');
}
