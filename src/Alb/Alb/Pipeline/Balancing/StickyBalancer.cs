using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Alb.Core.Policies;
using Alb.Proxy;

namespace Alb.Pipeline.Balancing;

/// <summary>
/// <c>affinity: cookie</c> as ingress-nginx's sticky balancers: the cookie is <c>KEY|BACKEND_KEY</c>, where
/// BACKEND_KEY is <c>md5(md5(upstream) + upstream)</c>. Balanced: KEY is a random token hashed onto the endpoints
/// (a dead endpoint's sessions move without a new cookie). Persistent: KEY is <c>md5(upstream + address)</c> of one
/// endpoint; when it is gone a random endpoint is picked and the cookie re-set. The cookie is only set when an
/// endpoint is newly picked. With change-on-failure a failed endpoint is left for another.
/// </summary>
internal sealed class StickyBalancer : Balancer
{
    private readonly AffinityPolicy _policy;
    private readonly string _path;
    private readonly HashRing? _ring;
    private readonly EndpointState[] _endpoints;
    private readonly Dictionary<string, EndpointState> _byKey = new(StringComparer.Ordinal);
    private readonly string _upstream;

    public StickyBalancer(AffinityPolicy policy, BackendPool pool, string routePath)
    {
        _policy = policy;
        _path = policy.Path ?? routePath;
        _endpoints = pool.Endpoints;
        var backend = pool.Backend;
        _upstream = $"{backend.Namespace}-{backend.Service}-{backend.Port}";
        BackendKey = Md5(Md5(_upstream) + _upstream);
        if (policy.Persistent)
        {
            foreach (var endpoint in _endpoints)
            {
                _byKey[Md5(_upstream + endpoint.Authority)] = endpoint;
            }
        }
        else if (_endpoints.Length > 0)
        {
            _ring = new HashRing([.. _endpoints.Select(e => e.Authority)]);
        }
    }

    public string BackendKey { get; }

    /// <summary>Whether the request's cookie was set by this balancer (ingress-nginx's <c>is_affinitized</c>).</summary>
    public bool IsAffinitized(HttpContext context) =>
        context.Request.Cookies.TryGetValue(_policy.CookieName, out var cookie) &&
        cookie.AsSpan().IndexOf('|') is var bar and >= 0 && cookie.AsSpan(bar + 1).SequenceEqual(BackendKey);

    public override EndpointState Pick(HttpContext context, BackendPool pool, EndpointState? avoid, long now)
    {
        if (_endpoints.Length == 0)
        {
            return pool.Pick(now, avoid)!;
        }

        if (context.Request.Cookies.TryGetValue(_policy.CookieName, out var cookie) && cookie.Length <= 512)
        {
            var bar = cookie.IndexOf('|', StringComparison.Ordinal);
            var key = bar < 0 ? cookie : cookie[..bar];
            // The cookie's endpoint, even on a retry after it failed, unless change-on-failure (as ingress-nginx).
            if (Find(key) is { } found && (found != avoid || !_policy.ChangeOnFailure))
            {
                return found;
            }
        }

        // A new pick: a fresh token (balanced) or a random endpoint (persistent), and the cookie that names it.
        EndpointState chosen;
        string newKey;
        if (_policy.Persistent)
        {
            chosen = RandomExcept(avoid, now);
            newKey = Md5(_upstream + chosen.Authority);
        }
        else
        {
            newKey = string.Create(CultureInfo.InvariantCulture, $"{now}.{Environment.ProcessId}.{Random.Shared.Next(1_000_000)}");
            chosen = Find(newKey)!;
            for (var i = 0; i < 20 && (chosen == avoid || !chosen.IsHealthy(now)); i++)
            {
                newKey = string.Create(CultureInfo.InvariantCulture, $"{now + i + 1}.{Environment.ProcessId}.{Random.Shared.Next(1_000_000)}");
                chosen = Find(newKey)!;
            }
        }

        SetCookie(context, newKey);
        return chosen;
    }

    private EndpointState? Find(string key) =>
        _policy.Persistent ? _byKey.GetValueOrDefault(key) : _endpoints[_ring!.Find(Encoding.UTF8.GetBytes(key))];

    private EndpointState RandomExcept(EndpointState? avoid, long now)
    {
        var candidates = _endpoints.Where(e => e != avoid && e.IsHealthy(now)).ToArray();
        return candidates.Length > 0 ? candidates[Random.Shared.Next(candidates.Length)] : _endpoints[Random.Shared.Next(_endpoints.Length)];
    }

    private void SetCookie(HttpContext context, string key)
    {
        var builder = new StringBuilder(128).Append(_policy.CookieName).Append('=').Append(key).Append('|').Append(BackendKey);
        if (_policy.ExpiresSeconds is { } expires)
        {
            // ngx.cookie_time: "Thu, 18-Nov-10 11:27:35 GMT" (two-digit year), as ingress-nginx's e2e tests expect.
            builder.Append("; Expires=").Append(DateTimeOffset.UtcNow.AddSeconds(expires).ToString("ddd, dd-MMM-yy HH:mm:ss 'GMT'", CultureInfo.InvariantCulture));
        }

        if (_policy.MaxAgeSeconds is { } maxAge)
        {
            builder.Append("; Max-Age=").Append(maxAge.ToString(CultureInfo.InvariantCulture));
        }

        if (_policy.Domain is { } domain)
        {
            builder.Append("; Domain=").Append(domain);
        }

        builder.Append("; Path=").Append(_path);
        if (_policy.Secure || context.Request.IsHttps)
        {
            builder.Append("; Secure");
        }

        builder.Append("; HttpOnly");
        if (_policy.SameSite is { } sameSite && !(_policy.ConditionalSameSiteNone && sameSite == "None" && SameSiteNoneIncompatible(context.Request.Headers.UserAgent.ToString())))
        {
            builder.Append("; SameSite=").Append(sameSite);
        }

        context.Response.Headers.Append("Set-Cookie", builder.ToString());
    }

    /// <summary>Browsers that mishandle SameSite=None (the list ingress-nginx's same_site.lua uses).</summary>
    private static bool SameSiteNoneIncompatible(string agent) =>
        agent.Contains("Chrome/4", StringComparison.Ordinal) || agent.Contains("Chrome/5", StringComparison.Ordinal) || agent.Contains("Chrome/6", StringComparison.Ordinal) ||
        agent.Contains("CPU iPhone OS 12", StringComparison.Ordinal) || agent.Contains("iPad; CPU OS 12", StringComparison.Ordinal) ||
        (agent.Contains("Macintosh; Intel Mac OS X 10_14", StringComparison.Ordinal) && agent.Contains("Safari", StringComparison.Ordinal) && !agent.Contains("Chrome", StringComparison.Ordinal));

#pragma warning disable CA5351 // not for security: the key format ingress-nginx's cookies carry, so sessions are understood alike
    private static string Md5(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));
#pragma warning restore CA5351
}
