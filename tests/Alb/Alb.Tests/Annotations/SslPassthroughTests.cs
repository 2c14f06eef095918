using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
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
    private readonly TcpListener _tlsBackend = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private TestOrigin _web = null!;
    private AlbInstance _alb = null!;
    private int _accepted;

    public async Task InitializeAsync()
    {
        _tlsBackend.Start();
        _ = ServeTlsAsync();
        _web = await TestOrigin.StartAsync("web");
        var port = ((IPEndPoint)_tlsBackend.LocalEndpoint).Port;
        var dir = new ManifestDir();
        dir.Write("all.yaml", ManifestDir.Backend("tls", [port]) + ManifestDir.Backend("web", [_web.Port]) +
            ManifestDir.Ingress("pass", "pass.example.com", "/", "tls", annotations: new Dictionary<string, string> { ["nginx.ingress.kubernetes.io/ssl-passthrough"] = "true" }) +
            ManifestDir.Ingress("secure", "secure.example.com", "/", "web", tlsSecret: "secure-tls") +
            TestCertificates.SecretYaml("secure.example.com", "secure-tls"));
        _alb = await AlbInstance.StartAsync(dir, "--enable-ssl-passthrough");
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        _tlsBackend.Stop();
        await _alb.DisposeAsync();
        await _web.DisposeAsync();
    }

    /// <summary>A TLS backend with its own certificate (CN=other.example.com) that answers one HTTP/1.1 request per connection.</summary>
    private async Task ServeTlsAsync()
    {
        using var certificate = X509Certificate2.CreateFromPem(TestCertificates.CertificatePem("other.example.com"), TestCertificates.KeyPem("other.example.com"));
        using var exportable = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _tlsBackend.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    await using var tls = new SslStream(client.GetStream());
                    await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = exportable, ApplicationProtocols = [SslApplicationProtocol.Http11] });
                    var buffer = new byte[4096];
                    var read = 0;
                    while (!Encoding.ASCII.GetString(buffer, 0, read).Contains("\r\n\r\n", StringComparison.Ordinal) && read < buffer.Length)
                    {
                        var n = await tls.ReadAsync(buffer.AsMemory(read));
                        if (n == 0)
                        {
                            return;
                        }

                        read += n;
                    }

                    await tls.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 11\r\nConnection: close\r\n\r\npassthrough"u8.ToArray());
                    await tls.FlushAsync();
                }
            });
        }
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
        var before = Volatile.Read(ref _accepted);
        using var client = _alb.CreateTlsClient("secure.example.com");
        var response = await client.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("CN=secure.example.com", client.LastSubject);
        Assert.Equal(before, Volatile.Read(ref _accepted));
    }

    [Fact]
    public async Task A_connection_that_is_not_tls_is_handed_to_albs_tls_and_refused()
    {
        var response = await RawHttp.SendAsync(_alb.HttpsPort, "GET / HTTP/1.1\r\nHost: pass.example.com\r\n\r\n", TimeSpan.FromSeconds(2));
        Assert.DoesNotContain("passthrough", response, StringComparison.Ordinal);
    }
}
