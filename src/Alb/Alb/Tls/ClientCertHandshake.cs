using System.Net.Security;
using Alb.Core.Policies;
using Alb.Pipeline;
using Alb.Proxy;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Alb.Tls;

/// <summary>
/// The TLS side of client certificates. At the handshake, the SNI name selects a host as a request's Host would;
/// only when that host's policy asks for a certificate does the server send a CertificateRequest (any certificate is
/// accepted there: it is verified per request, against the policy of the request's host, as nginx answers 400
/// rather than failing the handshake). The policy the handshake used is kept on the connection. Per request,
/// <see cref="AdmitsAsync"/> compares it by value with the policy of the host the request names: a different one is 421
/// Misdirected Request (nginx's answer when Host and SNI disagree), so neither a plain Host header nor HTTP/2
/// connection reuse across hosts can reach a host whose certificate rules the handshake did not apply.
/// </summary>
internal static class ClientCertHandshake
{
    internal static readonly byte[] NoCertificate = "400 No required SSL certificate was sent\n"u8.ToArray();

    /// <summary>Sets what the handshake asks of the client for <paramref name="serverName"/>, and remembers it on the connection.</summary>
    public static SslServerAuthenticationOptions Apply(SslServerAuthenticationOptions options, ProxyState? state, string? serverName, ConnectionContext connection)
    {
        Apply(options, state, serverName, out var remembered);
        connection.Features.Set(remembered);
        connection.Items[typeof(ClientCertConnection)] = remembered;
        return options;
    }

    /// <summary>As above, for a handshake without a Kestrel connection (alb's own loops): the record is given back, to go on the connection later.</summary>
    public static SslServerAuthenticationOptions Apply(SslServerAuthenticationOptions options, ProxyState? state, string? serverName, out ClientCertConnection remembered)
    {
        var sni = string.IsNullOrEmpty(serverName) ? null : serverName.TrimEnd('.');
        var policy = state?.Matcher.SelectHost(sni ?? "").Host.ClientCert;
        var record = remembered = new ClientCertConnection(sni, policy);
        if (policy is { AsksForCertificate: true })
        {
            options.ClientCertificateRequired = true;
            // The client's certificate is verified per request against the CA bundle of the request's host
            // (ClientCertCheck): nginx too completes the handshake and answers a bad certificate with 400.
#pragma warning disable CA5359
            options.RemoteCertificateValidationCallback = (_, _, chain, _) =>
            {
                // Keep what the client sent besides its own certificate: an intermediate CA completes its chain.
                if (chain?.ChainPolicy.ExtraStore is { Count: > 0 } sent)
                {
                    record.Intermediates = [.. sent.Take(8)];
                }

                return true;
            };
#pragma warning restore CA5359
        }

        return options;
    }

    /// <summary>
    /// False when the request was answered: 421 when its host's client-certificate policy is not the one its TLS
    /// connection was handshaken with (SNI of another host, or a configuration change since); 400 when the client
    /// sent no SNI and the host needs a certificate. Plain HTTP passes here and meets the host's check as "no certificate".
    /// </summary>
    public static async ValueTask<bool> AdmitsAsync(HttpContext context, ClientCertPolicy? hostPolicy)
    {
        var connection = context.Features.Get<ClientCertConnection>()
            ?? (context.Features.Get<IConnectionItemsFeature>()?.Items is { } items && items.TryGetValue(typeof(ClientCertConnection), out var value) ? value as ClientCertConnection : null);
        if (connection is null || ReferenceEquals(connection.Policy, hostPolicy) || Equals(connection.Policy, hostPolicy))
        {
            return true;
        }

        if (connection.ServerName is null && hostPolicy is not null)
        {
            await Answers.WriteBodyAsync(context, StatusCodes.Status400BadRequest, NoCertificate).ConfigureAwait(false);
            return false;
        }

        if (connection.ServerName is null)
        {
            return true; // no SNI, handshaken for the catch-all's policy, and the host needs no certificate
        }

        await Answers.WriteStatusAsync(context, StatusCodes.Status421MisdirectedRequest).ConfigureAwait(false);
        return false;
    }

    /// <summary>The SNI name of a TLS connection and the client-certificate policy its handshake applied.</summary>
    internal sealed record ClientCertConnection(string? ServerName, ClientCertPolicy? Policy)
    {
        /// <summary>The CA certificates the client sent after its own (at most 8), to build its chain with; never trusted as roots.</summary>
        public System.Security.Cryptography.X509Certificates.X509Certificate2Collection? Intermediates { get; set; }
    }

    /// <summary>Found on an HttpContext: the connection's record, if its TLS handshake made one.</summary>
    public static ClientCertConnection? Of(HttpContext context) =>
        context.Features.Get<ClientCertConnection>()
            ?? (context.Features.Get<IConnectionItemsFeature>()?.Items is { } items && items.TryGetValue(typeof(ClientCertConnection), out var value) ? value as ClientCertConnection : null);
}
