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
#pragma warning disable CA5359 // ingress-nginx's default is proxy-ssl-verify off: backends use cluster-internal certificates
            SslOptions = { RemoteCertificateValidationCallback = static (_, _, _, _) => true },
#pragma warning restore CA5359
        });
    }

    public HttpMessageInvoker Invoker { get; }

    /// <summary>HTTP/1.1 to HTTP and HTTPS backends; HTTP/2 (h2c with prior knowledge, or h2 over TLS) to gRPC ones.</summary>
    public ForwarderRequestConfig RequestConfig(GlobalSettings settings, UpstreamProtocol protocol)
    {
        var cached = _cached;
        if (cached is null || !ReferenceEquals(cached.Settings, settings))
        {
            var timeout = TimeSpan.FromSeconds(settings.ProxyReadTimeoutSeconds);
            cached = new CachedConfig(
                settings,
                new ForwarderRequestConfig { ActivityTimeout = timeout, Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower },
                new ForwarderRequestConfig { ActivityTimeout = timeout, Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact });
            _cached = cached;
        }

        return protocol is UpstreamProtocol.Grpc or UpstreamProtocol.Grpcs ? cached.Http2 : cached.Http1;
    }

    public void Dispose() => Invoker.Dispose();

    private sealed record CachedConfig(GlobalSettings Settings, ForwarderRequestConfig Http1, ForwarderRequestConfig Http2);
}
