using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s.Models;

namespace AlbOperator.Webhook;

/// <summary>What the Secret needs: nothing, a new serving certificate from its CA, or a new CA and certificate.</summary>
internal enum CertificateAction
{
    Keep,
    NewServing,
    NewAll,
}

/// <summary>The webhook's PEM files, as the Secret keeps them.</summary>
internal sealed record CertificateFiles(string CaPem, string CaKeyPem, string CertPem, string KeyPem)
{
    public static CertificateFiles? From(V1Secret? secret)
    {
        string? Text(string key) => secret?.Data is { } data && data.TryGetValue(key, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;
        return Text(WebhookNames.CaKey) is { } ca && Text(WebhookNames.CaPrivateKey) is { } caKey && Text(WebhookNames.CertKey) is { } cert && Text(WebhookNames.PrivateKey) is { } key
            ? new CertificateFiles(ca, caKey, cert, key)
            : null;
    }

    public Dictionary<string, byte[]> ToData() => new()
    {
        [WebhookNames.CaKey] = Encoding.UTF8.GetBytes(CaPem),
        [WebhookNames.CaPrivateKey] = Encoding.UTF8.GetBytes(CaKeyPem),
        [WebhookNames.CertKey] = Encoding.UTF8.GetBytes(CertPem),
        [WebhookNames.PrivateKey] = Encoding.UTF8.GetBytes(KeyPem),
    };
}

/// <summary>
/// The webhook's own PKI: a self-signed CA (ECDSA P-256, 10 years) and a serving certificate it signs (1 year) for
/// the Service's names (<see cref="WebhookNames.DnsNames"/>). A serving certificate within
/// <see cref="RenewBefore"/> of its end, for other names, or not signed by the CA is issued again from the same CA,
/// so the CA bundle the API server trusts does not change; a CA near its end is replaced with the certificate.
/// </summary>
internal static class WebhookCertificates
{
    public static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);
    public static readonly TimeSpan CaLifetime = TimeSpan.FromDays(3650);
    public static readonly TimeSpan ServingLifetime = TimeSpan.FromDays(365);

    /// <summary>Backdating, for API servers whose clocks are a little behind.</summary>
    private static readonly TimeSpan Backdate = TimeSpan.FromMinutes(5);

    public static CertificateAction Check(CertificateFiles? files, string ns, DateTimeOffset now)
    {
        if (files is null)
        {
            return CertificateAction.NewAll;
        }

        try
        {
            using var ca = X509Certificate2.CreateFromPem(files.CaPem, files.CaKeyPem);
            if (ca.NotAfter.ToUniversalTime() - now.UtcDateTime < RenewBefore)
            {
                return CertificateAction.NewAll;
            }

            using var cert = X509Certificate2.CreateFromPem(files.CertPem, files.KeyPem);
            var names = cert.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames()).ToHashSet(StringComparer.Ordinal);
            var fresh = cert.NotAfter.ToUniversalTime() - now.UtcDateTime >= RenewBefore && cert.NotBefore.ToUniversalTime() <= now.UtcDateTime + Backdate;
            return fresh && WebhookNames.DnsNames(ns).All(names.Contains) && SignedBy(cert, ca) ? CertificateAction.Keep : CertificateAction.NewServing;
        }
        catch (CryptographicException)
        {
            return CertificateAction.NewAll;
        }
    }

    /// <summary>A new CA (when <paramref name="files"/> is null) and a serving certificate signed by it.</summary>
    public static CertificateFiles Issue(CertificateFiles? files, string ns, DateTimeOffset now)
    {
        string caPem, caKeyPem;
        if (files is null)
        {
            using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=alb-operator-webhook-ca", caKey, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
            using var created = request.CreateSelfSigned(now - Backdate, now + CaLifetime);
            caPem = created.ExportCertificatePem();
            caKeyPem = caKey.ExportPkcs8PrivateKeyPem();
        }
        else
        {
            (caPem, caKeyPem) = (files.CaPem, files.CaKeyPem);
        }

        using var ca = X509Certificate2.CreateFromPem(caPem, caKeyPem);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var names = WebhookNames.DnsNames(ns);
        var serving = new CertificateRequest($"CN={names[0]}", key, HashAlgorithmName.SHA256);
        serving.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        serving.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        serving.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], critical: false));
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            san.AddDnsName(name);
        }

        serving.CertificateExtensions.Add(san.Build());
        serving.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var notAfter = now + ServingLifetime < ca.NotAfter.ToUniversalTime() ? now + ServingLifetime : new DateTimeOffset(ca.NotAfter.ToUniversalTime());
        using var cert = serving.Create(ca, now - Backdate, notAfter, RandomNumberGenerator.GetBytes(16));
        return new CertificateFiles(caPem, caKeyPem, cert.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>The serving certificate and its key, for the HTTPS listener.</summary>
    public static X509Certificate2 Load(CertificateFiles files) => X509Certificate2.CreateFromPem(files.CertPem, files.KeyPem);

    private static bool SignedBy(X509Certificate2 cert, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid;
        return chain.Build(cert);
    }
}
