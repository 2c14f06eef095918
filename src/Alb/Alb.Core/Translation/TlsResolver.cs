using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Alb.Core.Diagnostics;
using Alb.Core.Routing;
using Alb.Core.Snapshot;
using k8s.Models;

namespace Alb.Core.Translation;

/// <summary>Turns TLS Secrets into validated certificates: PEM that parses, a key that matches, once per Secret.</summary>
internal sealed class TlsResolver(ClusterSnapshot snapshot)
{
    private readonly Dictionary<string, (TlsCertificate? Cert, string? Error, DiagnosticCode? Code)> _cache = new(StringComparer.Ordinal);

    public IEnumerable<TlsCertificate> Certificates =>
        _cache.Values.Where(v => v.Cert is not null).Select(v => v.Cert!).OrderBy(c => c.Id, StringComparer.Ordinal);

    /// <summary>Null error = the certificate; otherwise why the Secret cannot be used.</summary>
    public (TlsCertificate? Certificate, string? Error, DiagnosticCode? Code) Resolve(string ns, string name)
    {
        var id = $"{ns}/{name}";
        if (!_cache.TryGetValue(id, out var result))
        {
            result = Load(id, snapshot.FindSecret(ns, name));
            _cache[id] = result;
        }

        return result;
    }

    private static (TlsCertificate?, string?, DiagnosticCode?) Load(string id, V1Secret? secret)
    {
        if (secret is null)
        {
            return (null, $"Secret {id} not found", Codes.TlsSecretNotFound);
        }

        if (secret.Type is not (null or "kubernetes.io/tls" or "Opaque"))
        {
            return (null, $"Secret {id} is of type {secret.Type}; kubernetes.io/tls or Opaque expected", Codes.TlsSecretInvalid);
        }

        var cert = Read(secret, "tls.crt");
        var key = Read(secret, "tls.key");
        if (cert is null || key is null)
        {
            return (null, $"Secret {id} lacks {(cert is null ? "tls.crt" : "tls.key")}", Codes.TlsSecretInvalid);
        }

        var (certificate, error) = Validate(id, cert, key);
        return (certificate, error, error is null ? null : Codes.TlsSecretInvalid);
    }

    internal static (TlsCertificate?, string?) Validate(string id, string certPem, string keyPem)
    {
        try
        {
            using var x509 = X509Certificate2.CreateFromPem(certPem, keyPem);
            return (new TlsCertificate(id, x509.GetCertHashString(HashAlgorithmName.SHA256), x509.NotAfter.ToUniversalTime(), certPem, keyPem), null);
        }
        catch (CryptographicException e)
        {
            // The message names the failure (no PEM found, key mismatch); it never includes key material.
            return (null, $"Secret {id}: {e.Message.TrimEnd('.')}");
        }
        catch (ArgumentException)
        {
            // CreateFromPem reports a key that does not belong to the certificate as an ArgumentException.
            return (null, $"Secret {id}: tls.key does not match the certificate in tls.crt");
        }
    }

    internal static string? Read(V1Secret secret, string key)
    {
        if (secret.Data is { } data && data.TryGetValue(key, out var bytes) && bytes is { Length: > 0 })
        {
            return Encoding.UTF8.GetString(bytes);
        }

        return secret.StringData is { } text && text.TryGetValue(key, out var value) && !string.IsNullOrEmpty(value) ? value : null;
    }
}
