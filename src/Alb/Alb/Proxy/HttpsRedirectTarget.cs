using Microsoft.AspNetCore.Http.Features;

namespace Alb.Proxy;

/// <summary>Builds the Location of an HTTP→HTTPS redirect: same host and request target, the HTTPS listener's port unless 443.</summary>
internal sealed class HttpsRedirectTarget(int httpsPort)
{
    public string For(HttpRequest request)
    {
        var host = request.Host.Host;
        if (host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('['))
        {
            host = $"[{host}]";
        }

        var target = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(target) || target[0] != '/')
        {
            target = request.Path.Value + request.QueryString.Value;
        }

        return httpsPort == 443 ? $"https://{host}{target}" : $"https://{host}:{httpsPort}{target}";
    }
}
