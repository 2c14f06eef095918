using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Alb.Core.Policies;
using Alb.Core.Routing;

namespace Alb.Proxy;

/// <summary>
/// The upstream connection pools (keep-alive per endpoint): one shared pool, and one per distinct
/// <see cref="BackendTlsPolicy"/> (proxy-ssl-*), kept across reloads while the policy is unchanged so its connections
/// stay warm. Per-route settings live in each route's forward step.
/// </summary>
internal sealed class UpstreamClient : IDisposable
{
    private const int MaxTlsPools = 256;
    private readonly ConcurrentDictionary<BackendTlsPolicy, HttpMessageInvoker> _tlsPools = new();
    private readonly TimeSpan _connectTimeout;
    private readonly TimeSpan _idleTimeout;
    private readonly bool _pooling;
    private readonly int _requestsPerConnection;

    public UpstreamClient(GlobalSettings initial, TimeProvider? time = null)
    {
        Lean = Alb.Proxy.Lean.LeanUpstream.Enabled ? new Alb.Proxy.Lean.LeanUpstream(initial, time ?? TimeProvider.System) : null;
        _connectTimeout = TimeSpan.FromSeconds(initial.ProxyConnectTimeoutSeconds);
        _idleTimeout = TimeSpan.FromSeconds(initial.UpstreamKeepaliveTimeoutSeconds);
        _pooling = initial.UpstreamKeepaliveConnections > 0;
        _requestsPerConnection = initial.UpstreamKeepaliveRequests;
#pragma warning disable CA5359 // ingress-nginx's default is proxy-ssl-verify off: backends use cluster-internal certificates
        Invoker = new HttpMessageInvoker(Handler(new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = static (_, _, _, _) => true }));
#pragma warning restore CA5359
    }

    public HttpMessageInvoker Invoker { get; }

    /// <summary>The lean HTTP/1.1 client, or null with ALB_LEAN_H1=0.</summary>
    public Alb.Proxy.Lean.LeanUpstream? Lean { get; }

    /// <summary>The pool for a route's proxy-ssl-* policy (the shared one when it has none).</summary>
    public HttpMessageInvoker InvokerFor(BackendTlsPolicy? policy)
    {
        if (policy is null)
        {
            return Invoker;
        }

        if (_tlsPools.TryGetValue(policy, out var invoker))
        {
            return invoker;
        }

        if (_tlsPools.Count >= MaxTlsPools)
        {
            foreach (var old in _tlsPools.Keys.Take(MaxTlsPools / 2).ToList())
            {
                if (_tlsPools.TryRemove(old, out var dropped))
                {
                    dropped.Dispose();
                }
            }
        }

        return _tlsPools.GetOrAdd(policy, p => new HttpMessageInvoker(TlsHandler(p, SslOptions(p))));
    }

    /// <summary>
    /// A pool whose connections alb wraps in TLS itself (the forward step sends to http://): .NET would otherwise take
    /// the SNI name from the Host header, and proxy-ssl-server-name / proxy-ssl-name must decide it.
    /// </summary>
    private SocketsHttpHandler TlsHandler(BackendTlsPolicy policy, SslClientAuthenticationOptions template)
    {
        var handler = Handler(new SslClientAuthenticationOptions());
        handler.ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
                var tls = new SslStream(new System.Net.Sockets.NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
                var options = new SslClientAuthenticationOptions
                {
                    EnabledSslProtocols = template.EnabledSslProtocols,
                    ClientCertificates = template.ClientCertificates,
                    RemoteCertificateValidationCallback = template.RemoteCertificateValidationCallback,
                    TargetHost = policy.SendServerName ? policy.Name ?? context.InitialRequestMessage.Headers.Host ?? "" : "",
                    ApplicationProtocols = context.InitialRequestMessage.Version.Major == 2 ? [SslApplicationProtocol.Http2] : [SslApplicationProtocol.Http11],
                };
                await tls.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
                return tls;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
        return handler;
    }

    private SocketsHttpHandler Handler(SslClientAuthenticationOptions ssl) => new()
    {
        // upstream-keepalive-requests: HTTP/1.1 connections are retired after that many requests (HTTP/2 multiplexes).
        PlaintextStreamFilter = _pooling
            ? (context, _) => ValueTask.FromResult<Stream>(context.NegotiatedHttpVersion.Major == 1 ? new RequestLimitStream(context.PlaintextStream, _requestsPerConnection) : context.PlaintextStream)
            : null,
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        EnableMultipleHttp2Connections = true,
        ActivityHeadersPropagator = null,
        ConnectTimeout = _connectTimeout,
        PooledConnectionIdleTimeout = _idleTimeout,
        PooledConnectionLifetime = _pooling ? Timeout.InfiniteTimeSpan : TimeSpan.Zero, // upstream-keepalive-connections: 0 = a connection per request
        MaxResponseHeadersLength = 64, // KiB
        SslOptions = ssl,
    };

    /// <summary>
    /// proxy-ssl-verify on: the backend's chain must end at a CA of the Secret's ca.crt (nothing else is trusted), be
    /// no longer than verify-depth + 1, and, with proxy-ssl-name, name that host. Client certificate and SNI as set.
    /// </summary>
    private static SslClientAuthenticationOptions SslOptions(BackendTlsPolicy policy)
    {
        var options = new SslClientAuthenticationOptions
        {
            EnabledSslProtocols = (policy.Tls12Allowed ? SslProtocols.Tls12 : SslProtocols.None) | (policy.Tls13Allowed ? SslProtocols.Tls13 : SslProtocols.None),
        };
        if (policy.CertificatePem is { } cert && policy.KeyPem is { } key)
        {
            using var ephemeral = X509Certificate2.CreateFromPem(cert, key);
            options.ClientCertificates = [X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null)];
        }

        if (!policy.Verify)
        {
#pragma warning disable CA5359 // proxy-ssl-verify off, as the annotation says (ingress-nginx's default)
            options.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
#pragma warning restore CA5359
            return options;
        }

        var roots = new X509Certificate2Collection();
        if (policy.CaPem is { } ca)
        {
            roots.ImportFromPem(ca);
        }

        options.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            if (certificate is null || roots.Count == 0)
            {
                return false;
            }

            using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(roots);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(leaf) &&
                chain.ChainElements.Count <= policy.VerifyDepth + 1 &&
                (policy.Name is null || leaf.MatchesHostname(policy.Name));
        };
        return options;
    }

    public void Dispose()
    {
        Lean?.Dispose();
        Invoker.Dispose();
        foreach (var invoker in _tlsPools.Values)
        {
            invoker.Dispose();
        }
    }
}
