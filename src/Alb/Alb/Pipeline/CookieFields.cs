using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Alb.Pipeline;

/// <summary>
/// A request's cookie from its Cookie fields, for alb's own loops, read by ASP.NET Core's own parser, the one behind
/// the general path's <c>Request.Cookies</c>: several Cookie fields, quoting, and the first of two same-named cookies
/// as there, so both paths read the same cookie.
/// </summary>
internal static class CookieFields
{
    public static string? Get(StringValues fields, string name)
    {
        if (fields.Count == 0)
        {
            return null;
        }

        var features = new FeatureCollection(1);
        features.Set<IHttpRequestFeature>(new HttpRequestFeature { Headers = new HeaderDictionary { [HeaderNames.Cookie] = fields } });
        return new RequestCookiesFeature(features).Cookies.TryGetValue(name, out var cookie) ? cookie : null;
    }
}
