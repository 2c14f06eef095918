using System.Net;
using Alb.Core.Policies;
using Alb.Core.Routing;
using Alb.Pipeline;
using Alb.Proxy;
using Microsoft.Extensions.Primitives;

namespace Alb.Auth;

/// <summary>
/// nginx's <c>auth_request</c> as ingress-nginx's template sets it up: the request, without its body, goes to the
/// auth-url with the client's headers and ingress-nginx's <c>X-Original-*</c> set; a 2xx answer lets it on (its
/// auth-response-headers copied into the upstream request), 401 and 403 go to the client (401 as a 302 to
/// auth-signin when set), and anything else (another status, a timeout, a refused connection, a bad answer) is 500.
/// </summary>
internal sealed class ExternalAuthCheck : AccessCheck
{
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Transfer-Encoding", "Upgrade", "Content-Length", "Content-Type",
        "Expect", "Host", "Proxy", "X-Forwarded-Proto", "X-Original-URL", "X-Original-Method", "X-Original-URI", "X-Sent-From",
        "X-Real-IP", "X-Forwarded-For", "X-Auth-Request-Redirect", "X-Scheme",
    };

    private readonly ExternalAuthPolicy _policy;
    private readonly (HashKeyPart Part, string Value)[] _url;
    private readonly (HashKeyPart Part, string Value)[]? _signin;
    private readonly (HashKeyPart Part, string Value)[]? _cacheKey;
    private readonly string _cachePrefix;
    private readonly AuthServices _services;
    private readonly bool _fullForwardedFor;
    private readonly HttpMethod _method;
    private readonly TimeSpan _timeout;

    /// <summary><paramref name="timeout"/>: the longest an auth answer may take (the ConfigMap's proxy-read-timeout); then 500.</summary>
    public ExternalAuthCheck(ExternalAuthPolicy policy, string routeKey, AuthServices services, bool fullForwardedFor, TimeSpan timeout)
    {
        _timeout = timeout;
        _policy = policy;
        _services = services;
        _fullForwardedFor = fullForwardedFor;
        _method = policy.Method is { } m ? HttpMethod.Parse(m) : HttpMethod.Get;
        _url = Parts(policy.Url);
        _signin = policy.SigninUrl is { } signin ? Parts(signin) : null;
        _cacheKey = policy.CacheKey is { } key ? Parts(key) : null;
        _cachePrefix = $"{routeKey}\n{policy.Url}\n";
    }

    public override async ValueTask<AccessVerdict> CheckAsync(HttpContext context)
    {
        var cacheKey = _cacheKey is null ? null : _cachePrefix + RequestVariables.Evaluate(_cacheKey, context, 4096);
        AuthAnswer? cached = null;
        var hit = cacheKey is not null && _services.Cache.TryGet(cacheKey, out cached);
        var answer = hit ? cached! : await AskAsync(context).ConfigureAwait(false);
        if (cacheKey is not null && !hit && answer.Status > 0 && _policy.CacheRules.FirstOrDefault(r => r.Statuses.Count == 0 ? answer.Status is 200 or 301 or 302 : r.Statuses.Contains(answer.Status) || r.Statuses.Contains(0)) is { } rule)
        {
            _services.Cache.Set(cacheKey, answer, TimeSpan.FromSeconds(rule.Seconds));
        }

        if (answer.Cookies.Length > 0)
        {
            SetCookiesOnAnswer(context, answer.Cookies, _policy.AlwaysSetCookie);
        }

        switch (answer.Status)
        {
            case >= 200 and < 300:
                context.Features.Set(new AuthHeadersFeature(answer.Headers));
                return AccessVerdict.Allow;
            case 401 when _signin is not null:
                return new AccessVerdict(StatusCodes.Status302Found, Location: SigninLocation(context));
            case 401:
                return new AccessVerdict(401, answer.Challenge);
            case 403:
                return new AccessVerdict(403);
            default:
                return new AccessVerdict(StatusCodes.Status500InternalServerError);
        }
    }

    private async Task<AuthAnswer> AskAsync(HttpContext context)
    {
        var target = RequestVariables.Evaluate(_url, context);
        if (!Uri.TryCreate(target, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            _services.Log.AuthUrlInvalid(_policy.Url);
            return AuthAnswer.Failed;
        }

        using var request = new HttpRequestMessage(_method, uri) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower };
        AddHeaders(context, request, uri);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(_timeout);
        try
        {
            using var response = await _services.Client.SendAsync(request, timeout.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            return new AuthAnswer(
                status,
                status is >= 200 and < 300 ? Copied(response) : [],
                response.Headers.TryGetValues("Set-Cookie", out var cookies) ? [.. cookies] : [],
                status == 401 && response.Headers.TryGetValues("WWW-Authenticate", out var challenge) ? string.Join(", ", challenge) : null);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            _services.Log.AuthServiceFailed(uri.GetLeftPart(UriPartial.Path), e.GetType().Name);
            return AuthAnswer.Failed;
        }
    }

    /// <summary>The client's headers, then ingress-nginx's auth-location headers over them; never a body.</summary>
    private void AddHeaders(HttpContext context, HttpRequestMessage request, Uri uri)
    {
        var headers = request.Headers;
        foreach (var (name, values) in context.Request.Headers)
        {
            if (!NotForwarded.Contains(name) && !name.StartsWith(':'))
            {
                headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        var http = context.Request;
        var requestUri = RequestVariables.RequestUri(context);
        var client = ClientAddress.Of(context)?.ToString() ?? "";
        var forwarded = context.Features.Get<ForwardedFeature>();
        headers.Host = uri.Host;
        headers.TryAddWithoutValidation("X-Original-URL", $"{http.Scheme}://{http.Host.Value}{requestUri}");
        headers.TryAddWithoutValidation("X-Original-Method", http.Method);
        headers.TryAddWithoutValidation("X-Sent-From", "nginx-ingress-controller");
        headers.TryAddWithoutValidation("X-Real-IP", client);
        headers.TryAddWithoutValidation("X-Forwarded-For", forwarded is not null && _fullForwardedFor && http.Headers.TryGetValue("X-Forwarded-For", out var chain) && chain.Count > 0 ? $"{chain}, {forwarded.Peer}" : client);
        headers.TryAddWithoutValidation("X-Auth-Request-Redirect", _policy.RequestRedirect ?? requestUri);
        headers.Remove("X-Request-ID");
        headers.TryAddWithoutValidation("X-Request-ID", RequestIds.Get(context));
        if (_policy.Method is not null)
        {
            headers.TryAddWithoutValidation("X-Original-URI", requestUri);
            headers.TryAddWithoutValidation("X-Scheme", forwarded?.Scheme ?? http.Scheme);
        }

        foreach (var header in _policy.ProxySetHeaders)
        {
            headers.Remove(header.Name);
            headers.TryAddWithoutValidation(header.Name, header.Value);
        }
    }

    /// <summary>auth-response-headers of a 2xx answer: (name, value), value null when the answer lacks it (then nothing is sent).</summary>
    private List<(string Name, string? Value)> Copied(HttpResponseMessage response)
    {
        var copied = new List<(string, string?)>(_policy.ResponseHeaders.Count);
        foreach (var name in _policy.ResponseHeaders)
        {
            var value = response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
                ? string.Join(", ", values)
                : null;
            copied.Add((name, value is { Length: > 0 } && !value.Any(char.IsControl) ? value : null));
        }

        return copied;
    }

    /// <summary>ingress-nginx's buildAuthSignURL: the original URL added as <c>rd</c> (or the param) unless already there.</summary>
    private string SigninLocation(HttpContext context)
    {
        var signin = RequestVariables.Evaluate(_signin!, context);
        var param = _policy.SigninRedirectParam;
        var query = signin.IndexOf('?', StringComparison.Ordinal) is var q and >= 0 ? signin[(q + 1)..] : "";
        if (query.Split('&').Any(p => p.StartsWith(param + "=", StringComparison.Ordinal) && p.Length > param.Length + 1))
        {
            return signin;
        }

        var scheme = context.Features.Get<ForwardedFeature>()?.Scheme ?? context.Request.Scheme;
        var original = $"{scheme}://{context.Request.Host.Value}{Uri.EscapeDataString(RequestVariables.RequestUri(context))}";
        return $"{signin}{(query.Length > 0 || signin.EndsWith('?') ? (signin.EndsWith('?') ? "" : "&") : "?")}{param}={original}";
    }

    /// <summary>nginx's <c>add_header Set-Cookie $auth_cookie</c>: on success and redirect answers, or every answer with auth-always-set-cookie.</summary>
    private static void SetCookiesOnAnswer(HttpContext context, string[] cookies, bool always)
    {
        context.Response.OnStarting(() =>
        {
            var status = context.Response.StatusCode;
            if (always || status is 200 or 201 or 204 or 206 or 301 or 302 or 303 or 304 or 307 or 308)
            {
                context.Response.Headers.Append("Set-Cookie", new StringValues(cookies));
            }

            return Task.CompletedTask;
        });
    }

    private static (HashKeyPart Part, string Value)[] Parts(string template) =>
        HashKey.TryParse(template, out var parts, out _) ? parts : throw new ArgumentException("auth templates are validated in translation", nameof(template));
}

/// <summary>What one auth subrequest answered (also what the auth cache keeps). Status 0 = no usable answer (500).</summary>
internal sealed record AuthAnswer(int Status, List<(string Name, string? Value)> Headers, string[] Cookies, string? Challenge)
{
    public static AuthAnswer Failed { get; } = new(0, [], [], null);
}

/// <summary>The auth-response-headers to put on the upstream request, set by a passed external auth.</summary>
internal sealed record AuthHeadersFeature(List<(string Name, string? Value)> Headers);
