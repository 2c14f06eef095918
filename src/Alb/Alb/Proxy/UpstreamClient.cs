using System.Net;
using Alb.Core.Routing;
using Yarp.ReverseProxy.Forwarder;

namespace Alb.Proxy;

/// <summary>The shared upstream connection pool (keep-alive per endpoint) and per-request forwarding settings.</summary>
internal sealed class UpstreamClient : IDisposable
{
    private volatile CachedConfig? _cached;

    public UpstreamClient(GlobalSettings initial)
    {
        Invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ActivityHeadersPropagator = null,
            ConnectTimeout = TimeSpan.FromSeconds(initial.ProxyConnectTimeoutSeconds),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            MaxResponseHeadersLength = 64, // KiB
        });
    }

    public HttpMessageInvoker Invoker { get; }

    public ForwarderRequestConfig RequestConfig(GlobalSettings settings)
    {
        var cached = _cached;
        if (cached is null || !ReferenceEquals(cached.Settings, settings))
        {
            cached = new CachedConfig(settings, new ForwarderRequestConfig
            {
                ActivityTimeout = TimeSpan.FromSeconds(settings.ProxyReadTimeoutSeconds),
                Version = HttpVersion.Version11,
                VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
            });
            _cached = cached;
        }

        return cached.Config;
    }

    public void Dispose() => Invoker.Dispose();

    private sealed record CachedConfig(GlobalSettings Settings, ForwarderRequestConfig Config);
}
