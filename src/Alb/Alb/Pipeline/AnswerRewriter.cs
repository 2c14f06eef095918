using Alb.Core.Policies;
using Microsoft.Extensions.Primitives;

namespace Alb.Pipeline;

/// <summary>
/// nginx's proxy_cookie_domain, proxy_cookie_path and proxy_redirect on the backend's answer, and custom-headers on
/// every answer of the route. Values are fixed at publish; per answer only the headers present are looked at.
/// </summary>
internal sealed class AnswerRewriter(AnswerRewritePolicy policy) : RouteStep
{
    /// <summary>Fields the front end's loop writes itself or whose order against alb's own matters: a custom header of these names keeps the route off the loop.</summary>
    private static readonly HashSet<string> LoopReserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "Server", "Date", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Strict-Transport-Security", "Vary", "Location", "Content-Type", "WWW-Authenticate",
    };

    /// <summary>
    /// Only custom-headers (no cookie or redirect rewriting), each of printable ASCII and none a field the loop sets
    /// itself (<see cref="LoopReserved"/>, the CORS fields): the front end's loop writes them (<see cref="Fast.LoopFields"/>).
    /// </summary>
    public bool HeadersOnly => policy.CookieDomainFrom is null && policy.CookiePathFrom is null && policy.RedirectFrom is null
        && policy.Headers.All(h => !LoopReserved.Contains(h.Name) && !h.Name.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase)
            && !h.Name.AsSpan().ContainsAnyExceptInRange('!', '~') && !h.Value.AsSpan().ContainsAnyExceptInRange(' ', '~'));

    /// <summary>custom-headers: names and values, in their order.</summary>
    public IEnumerable<HeaderValue> Headers => policy.Headers;

    /// <summary>As a step: custom-headers go on whatever answers the route, alb's own refusals included.</summary>
    public override ValueTask<bool> InvokeAsync(HttpContext context)
    {
        SetHeaders(context.Response.Headers);
        return ValueTask.FromResult(false);
    }

    /// <summary>After the backend's headers are copied.</summary>
    public void Apply(HttpResponse response)
    {
        var headers = response.Headers;
        if (policy.CookieDomainFrom is not null || policy.CookiePathFrom is not null)
        {
            var cookies = headers.SetCookie;
            if (cookies.Count > 0)
            {
                var rewritten = new string?[cookies.Count];
                for (var i = 0; i < cookies.Count; i++)
                {
                    rewritten[i] = RewriteCookie(cookies[i] ?? "");
                }

                headers.SetCookie = new StringValues(rewritten);
            }
        }

        if (policy.RedirectFrom is { } from && policy.RedirectTo is { } to)
        {
            foreach (var name in (ReadOnlySpan<string>)["Location", "Refresh"])
            {
                if (headers.TryGetValue(name, out var value) && value.Count == 1 && value[0] is { } text)
                {
                    headers[name] = Replace(text, from, to, name == "Refresh");
                }
            }
        }

        SetHeaders(headers);
    }

    private void SetHeaders(IHeaderDictionary headers)
    {
        foreach (var header in policy.Headers)
        {
            headers[header.Name] = header.Value;
        }
    }

    private string RewriteCookie(string cookie)
    {
        var parts = cookie.Split(';');
        for (var i = 1; i < parts.Length; i++)
        {
            var part = parts[i];
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                continue;
            }

            var name = part[..eq].Trim();
            var value = part[(eq + 1)..].Trim();
            if (policy.CookieDomainFrom is { } domainFrom && name.Equals("domain", StringComparison.OrdinalIgnoreCase) &&
                value.TrimStart('.').Equals(domainFrom.TrimStart('.'), StringComparison.OrdinalIgnoreCase))
            {
                parts[i] = $" {part[..eq].Trim()}={policy.CookieDomainTo}";
            }
            else if (policy.CookiePathFrom is { } pathFrom && name.Equals("path", StringComparison.OrdinalIgnoreCase) && value.StartsWith(pathFrom, StringComparison.Ordinal))
            {
                parts[i] = $" {part[..eq].Trim()}={policy.CookiePathTo}{value[pathFrom.Length..]}";
            }
        }

        return string.Join(';', parts);
    }

    /// <summary>proxy_redirect: a Location (or Refresh's url=) starting with <paramref name="from"/> gets <paramref name="to"/> instead.</summary>
    private static string Replace(string text, string from, string to, bool refresh)
    {
        var start = 0;
        if (refresh)
        {
            var url = text.IndexOf("url=", StringComparison.OrdinalIgnoreCase);
            if (url < 0)
            {
                return text;
            }

            start = url + 4;
        }

        return text.AsSpan(start).StartsWith(from, StringComparison.Ordinal)
            ? string.Concat(text.AsSpan(0, start), to, text.AsSpan(start + from.Length))
            : text;
    }
}
