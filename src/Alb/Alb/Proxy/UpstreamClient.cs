using System.Net;
using Alb.Core.Routing;

namespace Alb.Proxy;

/// <summary>The shared upstream connection pool (keep-alive per endpoint); per-route settings live in each route's forward step.</summary>
internal sealed class UpstreamClient : IDisposable
{
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

    public void Dispose() => Invoker.Dispose();
}
