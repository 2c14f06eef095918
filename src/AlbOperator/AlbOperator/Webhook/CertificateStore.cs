using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AlbOperator.Cluster;
using AlbOperator.Observability;

namespace AlbOperator.Webhook;

/// <summary>
/// The certificate this replica serves the webhook with: the one in the Secret <see cref="WebhookNames.Secret"/>,
/// reloaded whenever the Secret changes, so every replica serves the same one. Null until the leader created it
/// (the handshake fails meanwhile; the webhook's failurePolicy Ignore lets requests through). A Secret that cannot
/// be read keeps the last good certificate.
/// </summary>
internal sealed partial class CertificateStore
{
    private readonly ClusterView _cluster;
    private readonly OperatorMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private X509Certificate2? _current;

    public CertificateStore(ClusterView cluster, OperatorMetrics metrics, ILogger<CertificateStore> logger)
    {
        _cluster = cluster;
        _metrics = metrics;
        _logger = logger;
        cluster.SecretChanged += Reload;
        Reload();
    }

    public X509Certificate2? Current => Volatile.Read(ref _current);

    public void Reload()
    {
        var files = CertificateFiles.From(_cluster.WebhookSecret.Items is [var secret, ..] ? secret : null);
        if (files is null)
        {
            return;
        }

        lock (_gate)
        {
            try
            {
                var loaded = WebhookCertificates.Load(files);
                if (_current is { } old && old.Thumbprint == loaded.Thumbprint)
                {
                    loaded.Dispose();
                    return;
                }

                Volatile.Write(ref _current, loaded); // the old one is left to the GC: a handshake may still be using it
                _metrics.CertificateExpiry.Set(new DateTimeOffset(loaded.NotAfter.ToUniversalTime()).ToUnixTimeSeconds());
                LogLoaded(_logger, loaded.Thumbprint, loaded.NotAfter.ToUniversalTime());
            }
            catch (CryptographicException e)
            {
                LogUnreadable(_logger, e.Message);
            }
        }
    }

    [LoggerMessage(EventId = 310, Level = LogLevel.Information, Message = "Webhook certificate loaded: SHA-1 {Thumbprint}, valid until {NotAfter:u}")]
    private static partial void LogLoaded(ILogger logger, string thumbprint, DateTime notAfter);

    [LoggerMessage(EventId = 311, Level = LogLevel.Warning, Message = "The webhook Secret's certificate cannot be read (the last good one is kept; the leader issues a new one): {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string reason);
}
