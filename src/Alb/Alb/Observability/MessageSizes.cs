using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;

namespace Alb.Observability;

/// <summary>
/// Request and response sizes as ingress-nginx reports them: nginx's <c>$request_length</c> (request line, headers
/// and body) and <c>$bytes_sent</c> (status line, headers and body). Headers are counted as HTTP/1.1 text, also for
/// HTTP/2, where HPACK sends fewer bytes.
/// </summary>
internal static class MessageSizes
{
    public static long Request(HttpRequest request, long bodyBytes)
    {
        var target = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        var targetLength = target?.Length ?? (request.Path.Value?.Length ?? 0) + (request.QueryString.Value?.Length ?? 0);
        return request.Method.Length + 1 + targetLength + 1 + request.Protocol.Length + 2 + Headers(request.Headers) + 2 + bodyBytes;
    }

    public static long Response(HttpResponse response, long bodyBytes) =>
        "HTTP/1.1 200 ".Length + ReasonPhrases.GetReasonPhrase(response.StatusCode).Length + 2 + Headers(response.Headers) + 2 + bodyBytes;

    /// <summary>Body bytes sent: counted where the response declared no length, else the declared length.</summary>
    public static long ResponseBody(HttpContext context)
    {
        if (context.Features.Get<IHttpResponseBodyFeature>() is CountingResponseBody counted)
        {
            return counted.Bytes;
        }

        var status = context.Response.StatusCode;
        return HttpMethods.IsHead(context.Request.Method) || status is 204 or 304 || status < 200 ? 0 : context.Response.ContentLength ?? 0;
    }

    /// <summary>Body bytes received: counted for a chunked upload (or its buffered copy), else the declared length.</summary>
    public static long RequestBody(HttpRequest request) => request.Body switch
    {
        CountingRequestBody counted => counted.Bytes,
        FileBufferingReadStream buffered => buffered.Length,
        _ => request.ContentLength ?? 0,
    };

    private static long Headers(IHeaderDictionary headers)
    {
        long size = 0;
        foreach (var (name, values) in headers)
        {
            foreach (var value in values)
            {
                size += name.Length + 2 + (value?.Length ?? 0) + 2; // "Name: value\r\n"
            }
        }

        return size;
    }
}
