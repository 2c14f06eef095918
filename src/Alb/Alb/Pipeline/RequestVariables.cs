using System.Text;
using Alb.Core.Routing;
using Microsoft.AspNetCore.Http.Features;

namespace Alb.Pipeline;

/// <summary>
/// The nginx variables alb evaluates (<see cref="HashKey"/> parses them once at publish): upstream-hash-by keys, the
/// auth-url, auth-signin and auth-cache-key templates. <c>$request_uri</c> is the request target as the client sent it.
/// </summary>
internal static class RequestVariables
{
    /// <summary>Appends the value of each part; stops adding once the result passes <paramref name="limit"/> characters.</summary>
    public static string Evaluate((HashKeyPart Part, string Value)[] parts, HttpContext context, int limit = 8192)
    {
        var request = context.Request;
        var builder = new StringBuilder(64);
        foreach (var (part, value) in parts)
        {
            builder.Append(part switch
            {
                HashKeyPart.Text => value,
                HashKeyPart.RequestUri => RequestUri(context),
                HashKeyPart.EscapedRequestUri => Uri.EscapeDataString(RequestUri(context)),
                HashKeyPart.Uri => request.Path.Value,
                HashKeyPart.Args => request.QueryString.HasValue ? request.QueryString.Value![1..] : "",
                HashKeyPart.Host => request.Host.Host,
                HashKeyPart.Scheme => request.Scheme,
                HashKeyPart.Method => request.Method,
                HashKeyPart.RemoteAddr => ClientAddress.Of(context)?.ToString(),
                HashKeyPart.Header => request.Headers.TryGetValue(value, out var h) ? h[0] : null,
                HashKeyPart.Cookie => request.Cookies.TryGetValue(value, out var c) ? c : null,
                HashKeyPart.Arg => request.Query.TryGetValue(value, out var a) ? a[0] : null,
                _ => null,
            });
            if (builder.Length > limit)
            {
                break;
            }
        }

        return builder.ToString();
    }

    /// <summary>nginx's <c>$request_uri</c>: the raw request target (path and query, as sent).</summary>
    public static string RequestUri(HttpContext context) =>
        context.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw && raw[0] == '/'
            ? raw
            : context.Request.Path.Value + context.Request.QueryString.Value;
}
