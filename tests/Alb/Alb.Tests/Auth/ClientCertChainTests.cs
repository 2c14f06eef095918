using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;
using static Alb.Tests.Auth.ClientCertFixtures;

namespace Alb.Tests.Auth;

/// <summary>
/// Client certificates issued by an intermediate CA (auth-tls-verify-depth decides whether the chain is short enough,
/// as nginx's ssl_verify_depth), a CA whose CRL has expired (OpenSSL refuses every certificate then: 400), and one
/// HTTP/2 connection carrying requests for several hosts (421 where their settings differ from the connection's SNI).
/// </summary>
public sealed class ClientCertChainTests : IAsyncLifetime
{
    private const string Tls = ClientCertFixtures.TlsSecret;
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private readonly X509Certificate2 _root;
    private readonly X509Certificate2 _intermediate;
    private readonly X509Certificate2 _leaf;
    private readonly X509Certificate2 _direct;
    private readonly string _staleCrl;
    private TestOrigin _web = null!;
    private AlbInstance _alb = null!;

    public ClientCertChainTests()
    {
        _root = Ca("CN=Root CA,O=Acme Co", null);
        _intermediate = Ca("CN=Issuing CA,O=Acme Co", _root);
        _leaf = Issue(_intermediate, "CN=deep-client,O=Acme Co", Now.AddDays(-1), Now.AddDays(30), 2001);
        _direct = Issue(_root, "CN=direct-client,O=Acme Co", Now.AddDays(-1), Now.AddDays(30), 2002);
        var crl = new CertificateRevocationListBuilder();
        _staleCrl = PemEncoding.WriteString("X509 CRL", crl.Build(_root, BigInteger.One, Now.AddDays(-1), HashAlgorithmName.SHA256, thisUpdate: Now.AddDays(-8))) + "\n";
    }

    public async Task InitializeAsync()
    {
        _web = await TestOrigin.StartAsync("web");
        var root = _root.ExportCertificatePem() + "\n";
        var dir = new ManifestDir();
        dir.Write("backends.yaml", ManifestDir.Backend("web", [_web.Port]) + TestCertificates.SecretYaml("secure.example.com", Tls) + "\n---\n"
            + Secret("root", ("ca.crt", root)) + Secret("stale", ("ca.crt", root), ("ca.crl", _staleCrl)));
        dir.Write("ingresses.yaml", string.Concat(
            Ing("depth1", "depth1.secure.example.com", ("auth-tls-secret", "default/root")),
            Ing("depth2", "depth2.secure.example.com", ("auth-tls-secret", "default/root"), ("auth-tls-verify-depth", "2")),
            Ing("stale", "stale.secure.example.com", ("auth-tls-secret", "default/stale")),
            Ing("twin", "twin.secure.example.com", ("auth-tls-secret", "default/root")),
            Ing("plain", "plain.secure.example.com")));
        _alb = await AlbInstance.StartAsync(dir);
    }

    public async Task DisposeAsync()
    {
        await _alb.DisposeAsync();
        await _web.DisposeAsync();
    }

    [Fact]
    public async Task An_intermediate_chain_needs_a_verify_depth_of_two()
    {
        var before = _web.Requests;
        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync("depth1.secure.example.com", _leaf, _intermediate));
        Assert.Equal(before, _web.Requests);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("depth1.secure.example.com", _direct, null));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("depth2.secure.example.com", _leaf, _intermediate));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync("depth2.secure.example.com", _leaf, null)); // the intermediate not sent: no chain to the root
    }

    [Fact]
    public async Task An_expired_crl_refuses_every_certificate()
    {
        var before = _web.Requests;
        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync("stale.secure.example.com", _direct, null));
        Assert.Equal(before, _web.Requests);
    }

    [Fact]
    public async Task Http2_connection_reuse_across_hosts_obeys_each_hosts_certificate_settings()
    {
        var before = _web.Requests;
        await using (var h2 = await RawHttp2.ConnectAsync(_alb.HttpsPort, "depth1.secure.example.com", _direct))
        {
            // The same settings (another Ingress, the same CA and depth) may share the connection; different ones may not.
            Assert.Equal([200, 200, 421, 421, 421], await StatusesAsync(h2, "depth1.secure.example.com", "twin.secure.example.com",
                "plain.secure.example.com", "depth2.secure.example.com", "stale.secure.example.com"));
        }

        await using (var h2 = await RawHttp2.ConnectAsync(_alb.HttpsPort, "plain.secure.example.com"))
        {
            Assert.Equal([200, 421, 421], await StatusesAsync(h2, "plain.secure.example.com", "depth1.secure.example.com", "twin.secure.example.com"));
        }

        Assert.Equal(before + 3, _web.Requests); // only the three 200s reached the backend
    }

    private static async Task<List<int>> StatusesAsync(RawHttp2 h2, params string[] authorities)
    {
        var statuses = new List<int>();
        foreach (var authority in authorities)
        {
            statuses.Add(await h2.StatusAsync(await h2.SendAsync((":method", "GET"), (":scheme", "https"), (":path", "/"), (":authority", authority))));
        }

        return statuses;
    }

    private async Task<HttpStatusCode> StatusAsync(string host, X509Certificate2 certificate, X509Certificate2? intermediate)
    {
        var context = SslStreamCertificateContext.Create(certificate, intermediate is null ? null : new X509Certificate2Collection(intermediate), offline: true);
        using var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(IPAddress.Loopback, _alb.HttpsPort, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                TargetHost = host,
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
                ClientCertificateContext = context,
            },
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        using var response = await client.GetAsync($"https://{host}:{_alb.HttpsPort}/");
        return response.StatusCode;
    }

    private static X509Certificate2 Ca(string subject, X509Certificate2? issuer)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, issuer is null, issuer is null ? 1 : 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (issuer is null)
        {
            return request.CreateSelfSigned(Now.AddDays(-30), Now.AddYears(5));
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        using var issued = request.Create(issuer, Now.AddDays(-20), Now.AddYears(4), [0x10, 0x01]);
        using var withKey = issued.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}
