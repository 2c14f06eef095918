using Alb.Core.Policies;
using Microsoft.AspNetCore.Http.Features;

namespace Alb.Pipeline;

/// <summary>app-root: <c>if ($uri = /) { return 302 $scheme://$http_host/ROOT; }</c>; the query is dropped, as nginx's return does.</summary>
internal sealed class AppRootStep(string root) : RouteStep, ILoopStep
{
    public int Answer(in LoopRequest request, out string? location)
    {
        location = request.Path == "/" ? $"{(request.Https ? "https" : "http")}://{request.Host}{root}" : null;
        return location is null ? 0 : StatusCodes.Status302Found;
    }

    public override ValueTask<bool> InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Path.Value is not "/")
        {
            return ValueTask.FromResult(false);
        }

        Answers.Redirect(context, StatusCodes.Status302Found, $"{request.Scheme}://{request.Host.Value}{root}");
        return ValueTask.FromResult(true);
    }
}

/// <summary>A denied location: <c>return 503</c> (a security annotation failed validation; fail closed).</summary>
internal sealed class DenyStep(DenyPolicy deny) : RouteStep
{
    public override async ValueTask<bool> InvokeAsync(HttpContext context)
    {
        await Answers.WriteStatusAsync(context, deny.Status).ConfigureAwait(false);
        return true;
    }
}

/// <summary>permanent-redirect / temporal-redirect: <c>return CODE URL</c>, the URL exactly as written.</summary>
internal sealed class FixedRedirectStep(RedirectPolicy redirect) : RouteStep, ILoopStep
{
    public int Answer(in LoopRequest request, out string? location)
    {
        location = redirect.Url;
        return redirect.Code;
    }

    public override ValueTask<bool> InvokeAsync(HttpContext context)
    {
        Answers.Redirect(context, redirect.Code, redirect.Url);
        return ValueTask.FromResult(true);
    }
}

/// <summary>
/// ssl-redirect / force-ssl-redirect over plain HTTP: <c>https://host[:port]</c> + the request target with one
/// trailing '/' removed unless preserve-trailing-slash (ingress-nginx's Lua <c>redirect_to_https</c>). The port is
/// the HTTPS listener's when it is not 443.
/// </summary>
internal sealed class HttpsRedirectStep(HttpsRedirectPolicy policy, int httpsPort) : RouteStep, ILoopStep
{
    /// <summary>As below: redirected unless it came over HTTPS (or a trusted proxy says it saw HTTPS).</summary>
    public int Answer(in LoopRequest request, out string? location)
    {
        if (request.Forwarded?.Scheme is { } scheme ? scheme == "https" : request.Https)
        {
            location = null;
            return 0;
        }

        location = Location(new HostString(request.Forwarded?.Host ?? request.Host).Host, request.Target);
        return policy.Code;
    }

    public override ValueTask<bool> InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var forwarded = context.Features.Get<ForwardedFeature>();
        if (forwarded?.Scheme is { } scheme ? scheme == "https" : request.IsHttps)
        {
            return ValueTask.FromResult(false);
        }

        var host = forwarded?.Host is { } forwardedHost ? new HostString(forwardedHost).Host : request.Host.Host;
        var target = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(target) || target[0] != '/')
        {
            target = request.Path.Value + request.QueryString.Value;
        }

        Answers.Redirect(context, policy.Code, Location(host, target));
        return ValueTask.FromResult(true);
    }

    /// <summary>https://host[:port] + the target, one trailing '/' dropped unless preserve-trailing-slash.</summary>
    private string Location(string host, string target)
    {
        if (host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('['))
        {
            host = $"[{host}]";
        }

        if (!policy.PreserveTrailingSlash && target.EndsWith('/'))
        {
            target = target[..^1];
        }

        return httpsPort == 443 && !policy.UsePort ? $"https://{host}{target}" : $"https://{host}:{httpsPort}{target}";
    }
}

/// <summary>
/// The from-to-www-redirect twin server: <c>scheme://HOST:port</c> + the request target with one trailing '/'
/// removed, the port always written (ingress-nginx's <c>ngx_srv_redirect.lua</c>), with http-redirect-code.
/// </summary>
internal sealed class WwwRedirectStep(WwwRedirectPolicy policy) : RouteStep
{
    public override ValueTask<bool> InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var forwarded = context.Features.Get<ForwardedFeature>();
        var scheme = forwarded?.Scheme ?? request.Scheme;
        var port = forwarded?.Port ?? context.Connection.LocalPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var target = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(target) || target[0] != '/')
        {
            target = request.Path.Value + request.QueryString.Value;
        }

        if (target.EndsWith('/'))
        {
            target = target[..^1];
        }

        Answers.Redirect(context, policy.Code, $"{scheme}://{policy.Host}:{port}{target}");
        return ValueTask.FromResult(true);
    }
}
