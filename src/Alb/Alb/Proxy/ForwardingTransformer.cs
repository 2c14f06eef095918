using Alb.Observability;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace Alb.Proxy;

/// <summary>
/// Request headers as ingress-nginx sends them upstream: the client's Host, X-Forwarded-* computed here (incoming
/// values are replaced, not trusted), X-Real-IP and X-Request-ID. YARP drops hop-by-hop headers. A response
/// without a declared length gets its body bytes counted for the response-size metric.
/// </summary>
internal sealed class ForwardingTransformer : HttpTransformer
{
    public static readonly ForwardingTransformer Instance = new();

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);

        var request = httpContext.Request;
        var headers = proxyRequest.Headers;
        headers.Host = request.Host.Value;

        var client = httpContext.Connection.RemoteIpAddress?.ToString() ?? "";
        var scheme = request.IsHttps ? "https" : "http";
        Replace(headers, "X-Forwarded-For", client);
        Replace(headers, "X-Real-IP", client);
        Replace(headers, "X-Forwarded-Proto", scheme);
        Replace(headers, "X-Forwarded-Scheme", scheme);
        Replace(headers, "X-Scheme", scheme);
        Replace(headers, "X-Forwarded-Host", request.Host.Value ?? "");
        Replace(headers, "X-Forwarded-Port", httpContext.Connection.LocalPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Replace(headers, "X-Request-ID", RequestIds.Get(httpContext));
    }

    public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var copied = base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        return copied.IsCompletedSuccessfully ? ValueTask.FromResult(CountUnknownLength(httpContext, copied.Result)) : AwaitAsync(httpContext, copied);

        static async ValueTask<bool> AwaitAsync(HttpContext context, ValueTask<bool> copied) => CountUnknownLength(context, await copied.ConfigureAwait(false));
    }

    private static bool CountUnknownLength(HttpContext context, bool copyBody)
    {
        if (copyBody && context.Response.ContentLength is null && context.Features.Get<IHttpResponseBodyFeature>() is { } body and not CountingResponseBody)
        {
            context.Features.Set<IHttpResponseBodyFeature>(new CountingResponseBody(body));
        }

        return copyBody;
    }

    private static void Replace(System.Net.Http.Headers.HttpRequestHeaders headers, string name, string value)
    {
        headers.Remove(name);
        headers.TryAddWithoutValidation(name, value);
    }
}
