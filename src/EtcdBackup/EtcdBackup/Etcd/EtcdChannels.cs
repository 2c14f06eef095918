using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using EtcdBackup.Core.Config;
using Grpc.Net.Client;

namespace EtcdBackup.Etcd;

/// <summary>
/// gRPC channels to etcd members with etcdctl's TLS settings: <c>--cacert</c> is the only trust anchor for the
/// server, <c>--cert</c>/<c>--key</c> the client identity (the files kubeadm lays out). Missing or unreadable files
/// are reported before any connection is tried.
/// </summary>
internal sealed class EtcdChannels : IDisposable
{
    private readonly TimeSpan _dialTimeout;
    private readonly X509Certificate2Collection? _trust;
    private readonly X509Certificate2? _client;
    private readonly Dictionary<Uri, GrpcChannel> _channels = [];

    public EtcdChannels(BackupSettings settings)
        : this(settings.DialTimeout, settings.CaCert, settings.Cert, settings.Key, "")
    {
    }

    /// <param name="flagPrefix">Put before the TLS flags' names in errors: "" for the source, "dest-" for a mirror's destination.</param>
    public EtcdChannels(TimeSpan dialTimeout, string? caCert, string? cert, string? key, string flagPrefix)
    {
        _dialTimeout = dialTimeout;
        try
        {
            if (caCert is { } ca)
            {
                _trust = [];
                _trust.ImportFromPemFile(ca);
                if (_trust.Count == 0)
                {
                    throw new EtcdSetupException($"--{flagPrefix}cacert: {ca} holds no PEM certificate");
                }
            }

            if (cert is not null && key is not null)
            {
                _client = X509Certificate2.CreateFromPemFile(cert, key);
            }
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new EtcdSetupException($"--{flagPrefix}cacert/--{flagPrefix}cert/--{flagPrefix}key: cannot load the TLS files: {e.Message}");
        }
    }

    /// <summary>The channel to <paramref name="endpoint"/>: one per endpoint, reused (it reconnects by itself).</summary>
    public GrpcChannel Open(Uri endpoint)
    {
        if (_channels.TryGetValue(endpoint, out var open))
        {
            return open;
        }

        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = _dialTimeout,
            EnableMultipleHttp2Connections = true,
            KeepAlivePingDelay = TimeSpan.FromSeconds(20),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
        };
        if (endpoint.Scheme == "https")
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = _client is null ? null : [_client],
                RemoteCertificateValidationCallback = _trust is null ? null : ValidateAgainstCa,
            };
        }

        var channel = GrpcChannel.ForAddress(endpoint, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = 8 * 1024 * 1024,
        });
        _channels[endpoint] = channel;
        return channel;
    }

    private bool ValidateAgainstCa(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_trust!);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        // The chain must end at the given CA, and the name must match (kubeadm puts the node IPs and names in it).
        return custom.Build(leaf) && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0;
    }

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }

        _client?.Dispose();
    }
}

internal sealed class EtcdSetupException(string message) : Exception(message);
