using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;
using static Alb.Tests.Auth.ClientCertFixtures;

namespace Alb.Tests.Auth;

/// <summary>
/// Client certificates made by the <c>openssl</c> command line, as an operator makes them (not by .NET): a CA and
/// its client certificate pass, another openssl CA's client does not; and an auth-tls-secret that cannot be used
/// denies its Ingress's routes (503, as ingress-nginx) while the host's other paths stay closed (403).
/// </summary>
public sealed class ClientCertOpensslTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("alb-openssl-").FullName;
    private TestOrigin _web = null!;
    private AlbInstance _alb = null!;
    private X509Certificate2 _client = null!;
    private X509Certificate2 _stranger = null!;

    public async Task InitializeAsync()
    {
        var caPem = await CaAsync("ca", "/CN=Openssl CA/O=Acme Co");
        await CaAsync("other", "/CN=Other Openssl CA");
        _client = await ClientAsync("client", "ca", "/CN=svc-a/O=Acme Co/OU=Payments");
        _stranger = await ClientAsync("stranger", "other", "/CN=svc-a/O=Acme Co/OU=Payments");

        _web = await TestOrigin.StartAsync("web");
        var dir = new ManifestDir();
        dir.Write("backends.yaml", ManifestDir.Backend("web", [_web.Port]) + TestCertificates.SecretYaml("secure.example.com", TlsSecret) + "\n---\n"
            + Secret("openssl-ca", ("ca.crt", caPem))
            + Secret("garbage-ca", ("ca.crt", "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n"))
            + Secret("keypair-only", ("tls.crt", TestCertificates.CertificatePem("secure.example.com")), ("tls.key", TestCertificates.KeyPem("secure.example.com"))));
        dir.Write("ingresses.yaml", string.Concat(
            Ing("checked", "checked.secure.example.com", ("auth-tls-secret", "default/openssl-ca"), ("auth-tls-pass-certificate-to-upstream", "true")),
            Path("locked", "broken.secure.example.com", "/locked", ("auth-tls-secret", "default/garbage-ca")),
            Path("open", "broken.secure.example.com", "/open"),
            Ing("keypair", "keypair.secure.example.com", ("auth-tls-secret", "default/keypair-only"))));
        _alb = await AlbInstance.StartAsync(dir);
    }

    public async Task DisposeAsync()
    {
        await _alb.DisposeAsync();
        await _web.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_client_certificate_made_by_openssl_passes_and_one_of_another_openssl_ca_does_not()
    {
        var (status, text) = await GetAsync("checked.secure.example.com", "/", _client);
        Assert.Equal(HttpStatusCode.OK, status);
        var headers = JsonDocument.Parse(text).RootElement.GetProperty("headers");
        Assert.Equal("SUCCESS", headers.GetProperty("ssl-client-verify").GetString());
        Assert.Equal("OU=Payments,O=Acme Co,CN=svc-a", headers.GetProperty("ssl-client-subject-dn").GetString()); // RFC 2253 order, as nginx
        Assert.Equal("O=Acme Co,CN=Openssl CA", headers.GetProperty("ssl-client-issuer-dn").GetString());

        var before = _web.Requests;
        (status, text) = await GetAsync("checked.secure.example.com", "/", _stranger);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("The SSL certificate error", text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync("checked.secure.example.com", "/", null)).Status);
        Assert.Equal(before, _web.Requests);
    }

    [Fact]
    public async Task An_unusable_ca_bundle_denies_its_routes_with_503_and_closes_the_rest_of_the_host_with_403()
    {
        var before = _web.Requests;
        foreach (var certificate in new[] { _client, null })
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await GetAsync("broken.secure.example.com", "/locked", certificate)).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync("broken.secure.example.com", "/open", certificate)).Status);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await GetAsync("keypair.secure.example.com", "/", certificate)).Status);
        }

        Assert.Equal(before, _web.Requests);
    }

    private static string Path(string name, string host, string path, params (string Key, string Value)[] annotations) =>
        ManifestDir.Ingress(name, host, path, "web", tlsSecret: TlsSecret, annotations: annotations.ToDictionary(a => "nginx.ingress.kubernetes.io/" + a.Key, a => a.Value));

    private async Task<(HttpStatusCode Status, string Text)> GetAsync(string host, string path, X509Certificate2? certificate)
    {
        using var client = HttpsClient(_alb.HttpsPort, host, certificate, HttpVersion.Version11);
        using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Host = host } };
        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A self-signed CA by <c>openssl req -x509</c>; returns its PEM.</summary>
    private async Task<string> CaAsync(string name, string subject)
    {
        await OpensslAsync("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "30",
            "-subj", subject, "-keyout", File(name + ".key"), "-out", File(name + ".crt"),
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return await System.IO.File.ReadAllTextAsync(File(name + ".crt"));
    }

    /// <summary>A client certificate (clientAuth) by <c>openssl req</c> + <c>openssl x509 -req</c>, signed by CA <paramref name="ca"/>.</summary>
    private async Task<X509Certificate2> ClientAsync(string name, string ca, string subject)
    {
        await OpensslAsync("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-subj", subject, "-keyout", File(name + ".key"), "-out", File(name + ".csr"));
        await System.IO.File.WriteAllTextAsync(File(name + ".ext"), "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n");
        await OpensslAsync("x509", "-req", "-in", File(name + ".csr"), "-CA", File(ca + ".crt"), "-CAkey", File(ca + ".key"),
            "-CAcreateserial", "-days", "7", "-extfile", File(name + ".ext"), "-out", File(name + ".crt"));
        using var pem = X509Certificate2.CreateFromPemFile(File(name + ".crt"), File(name + ".key"));
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    private static async Task OpensslAsync(params string[] arguments)
    {
        var (exit, _, stderr) = await TestProcess.RunAsync("openssl", arguments);
        Assert.True(exit == 0, $"openssl {string.Join(' ', arguments)}: {stderr}");
    }

    private string File(string name) => System.IO.Path.Combine(_dir, name);
}
