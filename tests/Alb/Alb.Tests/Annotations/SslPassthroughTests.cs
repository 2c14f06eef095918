using System.Net;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;

namespace Alb.Tests.Annotations;

/// <summary>
/// ssl-passthrough with --enable-ssl-passthrough: TLS for the host reaches the backend undecrypted (the client sees
/// the backend's certificate); every other host still gets alb's TLS; plain HTTP is served as usual.
/// </summary>
public sealed class SslPassthroughTests : IAsyncLifetime
{
    private readonly TlsTestServer _tlsBackend = new("other.example.com", _ => "passthrough"); // CN=other.example.com
    private TestOrigin _web = null!;
    private AlbInstance _alb = null!;

    public async Task InitializeAsync()
    {
        _web = await TestOrigin.StartAsync("web");
        var port = _tlsBackend.Port;
        var dir = new ManifestDir();
        dir.Write("all.yaml", ManifestDir.Backend("tls", [port]) + ManifestDir.Backend("web", [_web.Port]) +
            ManifestDir.Ingress("pass", "pass.example.com", "/", "tls", annotations: new Dictionary<string, string> { ["nginx.ingress.kubernetes.io/ssl-passthrough"] = "true" }) +
            ManifestDir.Ingress("secure", "secure.example.com", "/", "web", tlsSecret: "secure-tls") +
            TestCertificates.SecretYaml("secure.example.com", "secure-tls"));
        _alb = await AlbInstance.StartAsync(dir, "--enable-ssl-passthrough");
    }

    public async Task DisposeAsync()
    {
        await _tlsBackend.DisposeAsync();
        await _alb.DisposeAsync();
        await _web.DisposeAsync();
    }

    [Fact]
    public async Task Tls_for_the_passthrough_host_reaches_the_backend_undecrypted()
    {
        using var client = _alb.CreateTlsClient("pass.example.com", HttpVersion.Version11);
        var response = await client.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("passthrough", await response.Content.ReadAsStringAsync());
        Assert.Equal("CN=other.example.com", client.LastSubject); // the backend's certificate, not alb's
    }

    [Fact]
    public async Task Other_hosts_still_get_albs_tls()
    {
        var before = _tlsBackend.Accepted;
        using var client = _alb.CreateTlsClient("secure.example.com");
        var response = await client.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("CN=secure.example.com", client.LastSubject);
        Assert.Equal(before, _tlsBackend.Accepted);
    }

    [Fact]
    public async Task A_connection_that_is_not_tls_is_handed_to_albs_tls_and_refused()
    {
        var response = await RawHttp.SendAsync(_alb.HttpsPort, "GET / HTTP/1.1\r\nHost: pass.example.com\r\n\r\n", TimeSpan.FromSeconds(2));
        Assert.DoesNotContain("passthrough", response, StringComparison.Ordinal);
    }
}
