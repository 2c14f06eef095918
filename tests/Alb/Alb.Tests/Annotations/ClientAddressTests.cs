using System.Net;
using System.Text.Json;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;

namespace Alb.Tests.Annotations;

/// <summary>
/// The ConfigMap's client-address keys as ingress-nginx's e2e forwarded-headers tests check them: trusted only with
/// use-forwarded-headers and only from proxy-real-ip-cidr; one address for X-Forwarded-For, X-Real-IP and source
/// ranges; HSTS on HTTPS answers only; the Server header.
/// </summary>
public sealed class ClientAddressTests : IAsyncLifetime
{
    private TestOrigin _origin = null!;
    private AlbInstance _alb = null!;

    public async Task InitializeAsync()
    {
        _origin = await TestOrigin.StartAsync("o");
        var dir = new ManifestDir();
        dir.Write("all.yaml", ManifestDir.Backend("o", [_origin.Port]) +
            ManifestDir.Ingress("open", "open.example.com", "/", "o") +
            ManifestDir.Ingress("ranged", "ranged.example.com", "/", "o", annotations: new Dictionary<string, string> { ["nginx.ingress.kubernetes.io/allowlist-source-range"] = "203.0.113.0/24" }) +
            ManifestDir.Ingress("secure", "secure.example.com", "/", "o", tlsSecret: "secure-tls", annotations: new Dictionary<string, string> { ["nginx.ingress.kubernetes.io/ssl-redirect"] = "true" }) +
            TestCertificates.SecretYaml("secure.example.com", "secure-tls") + """

            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: alb, namespace: ingress}
            data:
              use-forwarded-headers: "true"
              compute-full-forwarded-for: "true"
              proxy-real-ip-cidr: "127.0.0.1/32, 10.0.0.0/8"
              hsts-preload: "true"
              ssl-ciphers: "ECDHE-ECDSA-AES256-GCM-SHA384:HIGH:!aNULL"
            """);
        _alb = await AlbInstance.StartAsync(dir, "--configmap", "ingress/alb");
    }

    public async Task DisposeAsync()
    {
        await _alb.DisposeAsync();
        await _origin.DisposeAsync();
    }

    private async Task<(HttpResponseMessage Response, JsonElement Body)> GetAsync(string host, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Host = host;
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await _alb.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.StartsWith('{') ? JsonDocument.Parse(text).RootElement.Clone() : default);
    }

    [Fact]
    public async Task A_trusted_peer_names_the_client_and_the_full_chain_is_forwarded()
    {
        var (response, body) = await GetAsync("open.example.com", ("X-Forwarded-For", "198.51.100.1, 203.0.113.9, 10.1.1.1"), ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "public.example.com"),
            ("Proxy", "http://attacker.example:3128"), ("Expect", "100-continue"));
        var headers = body.GetProperty("headers");
        Assert.False(headers.TryGetProperty("proxy", out _), "httpoxy: the client's Proxy header is removed");
        Assert.False(headers.TryGetProperty("expect", out _), "nginx clears Expect towards the backend");
        Assert.Equal("203.0.113.9", headers.GetProperty("x-real-ip").GetString()); // walked from the right past trusted 10.1.1.1
        Assert.Equal("198.51.100.1, 203.0.113.9, 10.1.1.1, 127.0.0.1", headers.GetProperty("x-forwarded-for").GetString());
        Assert.Equal("198.51.100.1, 203.0.113.9, 10.1.1.1", headers.GetProperty("x-original-forwarded-for").GetString());
        Assert.Equal("https", headers.GetProperty("x-forwarded-proto").GetString());
        Assert.Equal("public.example.com", headers.GetProperty("x-forwarded-host").GetString());
        Assert.Equal("public.example.com", body.GetProperty("host").GetString());
        Assert.Equal("alb", response.Headers.Server.ToString());
        Assert.False(response.Headers.Contains("Strict-Transport-Security"), "no HSTS over plain HTTP");
    }

    [Fact]
    public async Task Source_ranges_see_the_forwarded_client()
    {
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("ranged.example.com", ("X-Forwarded-For", "203.0.113.50"))).Response.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync("ranged.example.com", ("X-Forwarded-For", "198.51.100.50"))).Response.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync("ranged.example.com")).Response.StatusCode);
    }

    [Fact]
    public async Task A_forwarded_https_scheme_from_a_trusted_peer_is_not_redirected()
    {
        var (plain, _) = await GetAsync("secure.example.com");
        Assert.Equal(HttpStatusCode.PermanentRedirect, plain.StatusCode);
        var (behindTls, _) = await GetAsync("secure.example.com", ("X-Forwarded-Proto", "https"));
        Assert.Equal(HttpStatusCode.OK, behindTls.StatusCode);
    }

    [Fact]
    public async Task Https_answers_carry_hsts_replacing_the_backends()
    {
        using var tls = _alb.CreateTlsClient("secure.example.com");
        var response = await tls.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("max-age=31536000; includeSubDomains; preload", string.Join(",", response.Headers.GetValues("Strict-Transport-Security")));
    }

    [Fact]
    public async Task Tls12_offers_only_the_configmaps_ssl_ciphers()
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, _alb.HttpsPort);
        await using var tls = new System.Net.Security.SslStream(new System.Net.Sockets.NetworkStream(socket, ownsSocket: false));
        await tls.AuthenticateAsClientAsync(new System.Net.Security.SslClientAuthenticationOptions
        {
            TargetHost = "secure.example.com",
            EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls12,
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });
        Assert.Equal(System.Net.Security.TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.NegotiatedCipherSuite);
    }
}
