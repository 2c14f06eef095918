using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Numerics;
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

    /// <summary>An HTTPS client to alb's port on loopback with <paramref name="sni"/>, offering <paramref name="certificate"/> (none when null), not following redirects.</summary>
    public static HttpClient HttpsClient(int httpsPort, string sni, X509Certificate2? certificate, Version version)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(IPAddress.Loopback, httpsPort, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                TargetHost = sni,
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
                LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate!,
            },
        };
        return new HttpClient(handler)
        {
            BaseAddress = new Uri($"https://{(IPAddress.TryParse(sni, out _) ? "127.0.0.1" : sni)}:{httpsPort}"),
            DefaultRequestVersion = version,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

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

    /// <summary>A CA, client certificates (good, another CA's, expired, revoked) and the CA's CRL listing the revoked one.</summary>
    internal sealed class Pki
    {
        public Pki()
        {
            using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var now = DateTimeOffset.UtcNow;
            var caRequest = new CertificateRequest("CN=Test CA,O=Acme Co", caKey, HashAlgorithmName.SHA256);
            caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
            Ca = caRequest.CreateSelfSigned(now.AddDays(-30), now.AddYears(5));
            CaPem = Ca.ExportCertificatePem() + "\n";

            using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var otherRequest = new CertificateRequest("CN=Other CA,O=Other", otherKey, HashAlgorithmName.SHA256);
            otherRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            otherRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(otherRequest.PublicKey, false));
            using var other = otherRequest.CreateSelfSigned(now.AddDays(-30), now.AddYears(5));

            Good = Issue(Ca, "CN=client,O=Acme Co", now.AddDays(-1), now.AddDays(30), 1001);
            Expired = Issue(Ca, "CN=expired,O=Acme Co", now.AddDays(-20), now.AddDays(-10), 1002);
            Revoked = Issue(Ca, "CN=revoked,O=Acme Co", now.AddDays(-1), now.AddDays(30), 1003);
            WrongCa = Issue(other, "CN=intruder,O=Other", now.AddDays(-1), now.AddDays(30), 1004);

            var crl = new CertificateRevocationListBuilder();
            crl.AddEntry(Revoked, now.AddHours(-1));
            CrlPem = PemEncoding.WriteString("X509 CRL", crl.Build(Ca, BigInteger.One, now.AddDays(7), HashAlgorithmName.SHA256)) + "\n";
        }

        public X509Certificate2 Ca { get; }

        public string CaPem { get; }

        public string CrlPem { get; }

        public X509Certificate2 Good { get; }

        public X509Certificate2 Expired { get; }

        public X509Certificate2 Revoked { get; }

        public X509Certificate2 WrongCa { get; }
    }
}
