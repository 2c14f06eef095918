using Yarp.ReverseProxy.Forwarder;

namespace Alb.Proxy;

/// <summary>
/// Request headers as ingress-nginx sends them upstream: the client's Host, X-Forwarded-* computed here (incoming
/// values are replaced, not trusted), X-Real-IP and X-Request-ID. YARP drops hop-by-hop headers.
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

    private static void Replace(System.Net.Http.Headers.HttpRequestHeaders headers, string name, string value)
    {
        headers.Remove(name);
        headers.TryAddWithoutValidation(name, value);
    }
}
