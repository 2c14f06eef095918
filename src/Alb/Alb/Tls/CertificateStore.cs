using System.Collections.Frozen;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Alb.Core.Routing;

namespace Alb.Tls;

/// <summary>
/// SNI name → certificate for one published route table: exact names, then single-label wildcards, then the
/// default. Built once per publish; a connection keeps the context it was handshaken with.
/// </summary>
internal sealed class CertificateStore
{
    private readonly FrozenDictionary<string, SslStreamCertificateContext> _exact;
    private readonly FrozenDictionary<string, SslStreamCertificateContext> _wildcard;

    public CertificateStore(RouteTable table, CertificateCache cache, SslStreamCertificateContext generatedDefault)
    {
        var byId = table.Certificates.ToDictionary(c => c.Id, cache.Get, StringComparer.Ordinal);
        Default = table.DefaultCertificateId is { } id && byId.TryGetValue(id, out var configured) ? configured : generatedDefault;

        var exact = new Dictionary<string, SslStreamCertificateContext>(StringComparer.OrdinalIgnoreCase);
        var wildcard = new Dictionary<string, SslStreamCertificateContext>(StringComparer.OrdinalIgnoreCase);
        foreach (var binding in table.TlsHosts)
        {
            var context = binding.CertificateId is { } certId && byId.TryGetValue(certId, out var c) ? c : Default;
            if (binding.Host.StartsWith("*.", StringComparison.Ordinal))
            {
                wildcard[binding.Host[2..]] = context;
            }
            else
            {
                exact[binding.Host] = context;
            }
        }

        _exact = exact.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        _wildcard = wildcard.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    public SslStreamCertificateContext Default { get; }

    public SslStreamCertificateContext Select(string? serverName)
    {
        if (string.IsNullOrEmpty(serverName))
        {
            return Default;
        }

        serverName = serverName.TrimEnd('.');
        if (_exact.TryGetValue(serverName, out var context))
        {
            return context;
        }

        var dot = serverName.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && _wildcard.TryGetValue(serverName[(dot + 1)..], out context) ? context : Default;
    }
}

/// <summary>Parsed certificates by (Secret, thumbprint), kept across reloads so an unchanged Secret is parsed once.</summary>
internal sealed class CertificateCache
{
    private readonly Dictionary<(string Id, string Thumbprint), SslStreamCertificateContext> _contexts = [];
    private readonly Lock _lock = new();

    public SslStreamCertificateContext Get(TlsCertificate certificate)
    {
        lock (_lock)
        {
            var key = (certificate.Id, certificate.Thumbprint);
            if (!_contexts.TryGetValue(key, out var context))
            {
                context = CreateContext(X509Certificate2.CreateFromPem(certificate.CertificatePem, certificate.KeyPem), certificate.CertificatePem);
                _contexts[key] = context;
            }

            return context;
        }
    }

    /// <summary>Drops certificates no longer referenced by the current table.</summary>
    public void Retain(RouteTable table)
    {
        lock (_lock)
        {
            var live = table.Certificates.Select(c => (c.Id, c.Thumbprint)).ToHashSet();
            foreach (var key in _contexts.Keys.Where(k => !live.Contains(k)).ToList())
            {
                _contexts.Remove(key);
            }
        }
    }

    public static SslStreamCertificateContext CreateContext(X509Certificate2 leaf, string? chainPem = null)
    {
        // Ephemeral PEM keys cannot be used by SslStream on every platform; round-trip through PKCS#12 in memory.
        var usable = X509CertificateLoader.LoadPkcs12(leaf.Export(X509ContentType.Pkcs12), null);
        var intermediates = new X509Certificate2Collection();
        if (chainPem is not null)
        {
            intermediates.ImportFromPem(chainPem);
            foreach (var extra in intermediates.Where(c => c.Thumbprint == leaf.Thumbprint).ToList())
            {
                intermediates.Remove(extra);
            }
        }

        return SslStreamCertificateContext.Create(usable, intermediates, offline: true);
    }
}
