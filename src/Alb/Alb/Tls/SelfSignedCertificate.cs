using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Alb.Tls;

/// <summary>The fallback certificate when no --default-ssl-certificate is given (ingress-nginx's "fake certificate").</summary>
internal static class SelfSignedCertificate
{
    public const string Subject = "CN=Edge ALB Default Certificate";

    public static X509Certificate2 Create(TimeProvider time)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(Subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = time.GetUtcNow();
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
    }
}
