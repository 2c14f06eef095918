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
    private readonly BackupSettings _settings;
    private readonly X509Certificate2Collection? _trust;
    private readonly X509Certificate2? _client;
    private readonly List<GrpcChannel> _channels = [];

    public EtcdChannels(BackupSettings settings)
    {
        _settings = settings;
        try
        {
            if (settings.CaCert is { } ca)
            {
                _trust = [];
                _trust.ImportFromPemFile(ca);
                if (_trust.Count == 0)
                {
                    throw new EtcdSetupException($"--cacert: {ca} holds no PEM certificate");
                }
            }

            if (settings.Cert is { } cert && settings.Key is { } key)
            {
                _client = X509Certificate2.CreateFromPemFile(cert, key);
            }
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new EtcdSetupException($"--cacert/--cert/--key: cannot load the TLS files: {e.Message}");
        }
    }

    public GrpcChannel Open(Uri endpoint)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = _settings.DialTimeout,
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
        _channels.Add(channel);
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
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        _client?.Dispose();
    }
}

internal sealed class EtcdSetupException(string message) : Exception(message);
