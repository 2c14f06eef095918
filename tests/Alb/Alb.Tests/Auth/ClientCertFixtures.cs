using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Alb.Tests.Fixtures;

namespace Alb.Tests.Auth;

/// <summary>What the client-certificate tests share: Secrets and Ingresses on the TLS test host, and client certificates issued by a test CA.</summary>
internal static class ClientCertFixtures
{
    public const string TlsSecret = "wild";
    private const string P = "nginx.ingress.kubernetes.io/";

    public static string Secret(string name, params (string Key, string Value)[] data) =>
        $"apiVersion: v1\nkind: Secret\nmetadata: {{name: {name}, namespace: default}}\ndata:\n"
        + string.Concat(data.Select(d => $"  {d.Key}: \"{Convert.ToBase64String(Encoding.UTF8.GetBytes(d.Value))}\"\n")) + "---\n";

    public static string Ing(string name, string host, params (string Key, string Value)[] annotations) =>
        ManifestDir.Ingress(name, host, "/", "web", tlsSecret: TlsSecret, annotations: annotations.ToDictionary(a => P + a.Key, a => a.Value));

    /// <summary>A client certificate (EC P-256, clientAuth) issued by <paramref name="issuer"/>, with its private key.</summary>
    public static X509Certificate2 Issue(X509Certificate2 issuer, string subject, DateTimeOffset from, DateTimeOffset to, int serial)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        using var issued = request.Create(issuer, from, to, BitConverter.GetBytes(serial).Reverse().ToArray());
        using var withKey = issued.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}
