using System.Net.Security;
using System.Security.Authentication;
using Alb.Proxy;

namespace Alb.Tls;

/// <summary>
/// What alb's TLS handshake offers a client, from the configuration in force: the certificate for the SNI name,
/// ssl-protocols, ssl-ciphers, ALPN h2 and http/1.1. Kestrel's HTTPS listener and alb's own loops build it here, so
/// both handshakes are the same (the client-certificate request is added by <see cref="ClientCertHandshake"/>).
/// </summary>
internal static class ServerTlsOptions
{
    private static readonly List<SslApplicationProtocol> Protocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];

    /// <exception cref="AuthenticationException">No configuration is loaded yet: the handshake fails.</exception>
    public static SslServerAuthenticationOptions For(ProxyState? state, string? serverName) => new()
    {
        ServerCertificateContext = state?.Certificates.Select(serverName) ?? throw new AuthenticationException("no configuration loaded yet"),
        EnabledSslProtocols = state.Table.Settings.SslProtocols switch
        {
            "TLSv1.2" => SslProtocols.Tls12,
            "TLSv1.3" => SslProtocols.Tls13,
            _ => SslProtocols.Tls12 | SslProtocols.Tls13,
        },
        ApplicationProtocols = Protocols,
        CipherSuitesPolicy = state.Ciphers,
        ClientCertificateRequired = false,
    };
}
