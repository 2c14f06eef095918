using System.Globalization;
using Alb.Core.Routing;
using Yarp.ReverseProxy.Forwarder;
using Route = Alb.Core.Routing.Route;

namespace Alb.Pipeline;

/// <summary>Set by the route's transformer when the backend answered a status in custom-http-errors (its answer is dropped).</summary>
internal sealed class InterceptedFeature(int status)
{
    public int Status { get; } = status;
}

/// <summary>
/// proxy-next-upstream http_NNN: set by the forward step before an attempt that may still be retried; the route's
/// transformer drops an answer with one of those codes and records it here, and the forward step tries the next
/// endpoint.
/// </summary>
internal sealed class RetryFeature
{
    public bool CanRetry { get; set; }

    public int DroppedStatus { get; set; }
}

/// <summary>
/// The request to a default backend, as ingress-nginx's template builds it: for a custom-http-errors page the path
/// becomes <c>/</c>; with the X-Code, X-Format, X-Original-URI, X-Namespace, X-Ingress-Name, X-Service-Name,
/// X-Service-Port and X-Request-ID headers the default backend uses to pick its page.
/// </summary>
internal sealed class ErrorPageTransformer(Route route, Backend primary, bool rootPath, ForwardingSettings forwarding) : HttpTransformer
{
    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await forwarding.Plain.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
        var request = httpContext.Request;
        if (rootPath)
        {
            proxyRequest.RequestUri = new Uri(destinationPrefix.TrimEnd('/') + "/", UriKind.Absolute);
        }

        var headers = proxyRequest.Headers;
        var code = httpContext.Features.Get<InterceptedFeature>()?.Status ?? StatusCodes.Status503ServiceUnavailable;
        Set(headers, "X-Code", code.ToString(CultureInfo.InvariantCulture));
        Set(headers, "X-Format", request.Headers.Accept.ToString());
        Set(headers, "X-Original-URI", request.Path.Value + request.QueryString.Value);
        Set(headers, "X-Namespace", route.Source.Namespace);
        Set(headers, "X-Ingress-Name", route.Source.Ingress);
        Set(headers, "X-Service-Name", primary.Service);
        Set(headers, "X-Service-Port", primary.Port);
    }

    public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken) =>
        forwarding.Plain.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);

    private static void Set(System.Net.Http.Headers.HttpRequestHeaders headers, string name, string value)
    {
        headers.Remove(name);
        if (value.Length > 0)
        {
            headers.TryAddWithoutValidation(name, value);
        }
    }
}
