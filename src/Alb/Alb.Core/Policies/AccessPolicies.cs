using System.Text.Json.Serialization;
using Alb.Core.Routing;

namespace Alb.Core.Policies;

/// <summary>
/// ingress-nginx's <c>satisfy</c>: with <see cref="All"/> (the default) a request must pass the source ranges and every
/// authentication of the route; with <see cref="Any"/> passing one of them is enough (nginx's <c>satisfy any</c>).
/// </summary>
public enum SatisfyMode
{
    All,
    Any,
}

/// <summary>One htpasswd entry: the user and the stored hash (never printed; see <see cref="BasicAuthPolicy"/>).</summary>
public sealed record BasicAuthUser(string Name, [property: JsonIgnore] string Hash);

/// <summary>
/// <c>auth-type: basic</c>: a request needs <c>Authorization: Basic</c> with a user and password that verify against
/// <see cref="Users"/> (from <see cref="Secret"/>); 401 with <c>WWW-Authenticate: Basic realm="Realm"</c> otherwise.
/// The client's <c>Authorization</c> header never reaches the backend. <see cref="Users"/> may be empty (a Secret
/// with no valid line): nobody can log in, as in ingress-nginx.
/// </summary>
public sealed record BasicAuthPolicy(string Realm, string Secret, EquatableArray<BasicAuthUser> Users);

/// <summary>How long auth answers with <see cref="Statuses"/> are cached (nginx's <c>proxy_cache_valid</c>; empty = 200, 301, 302; 0 = any).</summary>
public sealed record AuthCacheRule(EquatableArray<int> Statuses, int Seconds);

/// <summary>
/// <c>auth-url</c> (or the ConfigMap's <c>global-auth-url</c>): every request is first sent, without its body, to
/// <see cref="Url"/> (nginx variables expanded per request). 2xx lets it on, with <see cref="ResponseHeaders"/> of
/// that answer copied into the upstream request; 401 and 403 go to the client (401 becomes a 302 to
/// <see cref="SigninUrl"/> when set); anything else, a timeout or a refused connection is 500: never allowed.
/// </summary>
public sealed record ExternalAuthPolicy(string Url)
{
    /// <summary><c>auth-method</c>; null = GET.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Method { get; init; }

    /// <summary><c>auth-response-headers</c>: copied from a 2xx auth answer into the upstream request (client copies removed).</summary>
    public EquatableArray<string> ResponseHeaders { get; init; } = [];

    /// <summary><c>auth-request-redirect</c>: the X-Auth-Request-Redirect sent to the auth service; null = the request URI.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RequestRedirect { get; init; }

    /// <summary><c>auth-signin</c>: where a 401 sends the client (302), with the original URL in <see cref="SigninRedirectParam"/>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SigninUrl { get; init; }

    /// <summary><c>auth-signin-redirect-param</c> (default <c>rd</c>).</summary>
    public string SigninRedirectParam { get; init; } = "rd";

    /// <summary><c>auth-cache-key</c>: answers are cached under this template (per host and path); null = no cache.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? CacheKey { get; init; }

    /// <summary><c>auth-cache-duration</c> (default <c>200 202 401 5m</c>).</summary>
    public EquatableArray<AuthCacheRule> CacheRules { get; init; } = [];

    /// <summary><c>auth-proxy-set-headers</c>: extra headers sent to the auth service (from a ConfigMap).</summary>
    public EquatableArray<HeaderValue> ProxySetHeaders { get; init; } = [];

    /// <summary><c>auth-always-set-cookie</c>: the auth answer's Set-Cookie goes on every answer, not only successes.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool AlwaysSetCookie { get; init; }

    /// <summary>Set when this is the ConfigMap's global-auth-url.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Global { get; init; }
}
