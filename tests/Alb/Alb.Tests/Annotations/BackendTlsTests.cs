using System.Net;
using System.Text;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;

namespace Alb.Tests.Annotations;

/// <summary>
/// backend-protocol HTTPS with proxy-ssl-*: verification against the Secret's CA and the configured name fails
/// closed (502) on a certificate the CA did not sign or a name it does not carry; off, as ingress-nginx's default.
/// </summary>
public sealed class BackendTlsTests : IAsyncLifetime
{
    private const string P = "nginx.ingress.kubernetes.io/";
    private readonly TlsTestServer _backend = new("secure.example.com", sni => $"tls backend, sni={sni}");
    private AlbInstance _alb = null!;

    public async Task InitializeAsync()
    {
        var port = _backend.Port;
        var dir = new ManifestDir();
        var ca = $$"""
            apiVersion: v1
            kind: Secret
            metadata: {name: backend-ca, namespace: default}
            data:
              ca.crt: {{Convert.ToBase64String(Encoding.UTF8.GetBytes(TestCertificates.CertificatePem("secure.example.com")))}}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: wrong-ca, namespace: default}
            data:
              ca.crt: {{Convert.ToBase64String(Encoding.UTF8.GetBytes(TestCertificates.CertificatePem("other.example.com")))}}
            ---

            """;
        dir.Write("all.yaml", ManifestDir.Backend("tls", [port]) + ca +
            Ing("verified", "verified.example.com", ("proxy-ssl-secret", "default/backend-ca"), ("proxy-ssl-verify", "on"), ("proxy-ssl-name", "secure.example.com"), ("proxy-ssl-server-name", "on")) +
            Ing("wrong-name", "wrong-name.example.com", ("proxy-ssl-secret", "default/backend-ca"), ("proxy-ssl-verify", "on"), ("proxy-ssl-name", "other.example.com")) +
            Ing("wrong-ca", "wrong-ca.example.com", ("proxy-ssl-secret", "default/wrong-ca"), ("proxy-ssl-verify", "on"), ("proxy-ssl-name", "secure.example.com")) +
            Ing("unverified", "unverified.example.com") +
            Ing("missing", "missing.example.com", ("proxy-ssl-secret", "default/nowhere"), ("proxy-ssl-verify", "on")));
        _alb = await AlbInstance.StartAsync(dir);
    }

    public async Task DisposeAsync()
    {
        await _backend.DisposeAsync();
        await _alb.DisposeAsync();
    }

    private static string Ing(string name, string host, params (string Key, string Value)[] annotations) =>
        ManifestDir.Ingress(name, host, "/", "tls", annotations: annotations.Append(("backend-protocol", "HTTPS")).ToDictionary(a => P + a.Item1, a => a.Item2));

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Host = host;
        using var response = await _alb.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_backend_certificate_signed_by_the_secrets_ca_and_naming_the_host_is_accepted_with_sni()
    {
        var (status, body) = await GetAsync("verified.example.com");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("tls backend, sni=secure.example.com", body);
    }

    [Theory]
    [InlineData("wrong-name.example.com")]
    [InlineData("wrong-ca.example.com")]
    public async Task A_certificate_that_fails_verification_is_refused_with_502(string host) =>
        Assert.Equal(HttpStatusCode.BadGateway, (await GetAsync(host)).Status);

    [Fact]
    public async Task Without_proxy_ssl_verify_the_certificate_is_not_checked_as_in_ingress_nginx()
    {
        var (status, body) = await GetAsync("unverified.example.com");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("tls backend", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_proxy_ssl_secret_denies_the_route() =>
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await GetAsync("missing.example.com")).Status);
}
