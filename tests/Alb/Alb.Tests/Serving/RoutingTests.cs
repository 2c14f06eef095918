using System.Net;
using System.Text.Json;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;

namespace Alb.Tests.Serving;

/// <summary>Requests over real sockets through a real alb process to real origins.</summary>
public sealed class RoutingTests : IAsyncLifetime
{
    private TestOrigin _web = null!;
    private TestOrigin _api = null!;
    private AlbInstance _alb = null!;

    public async Task InitializeAsync()
    {
        _web = await TestOrigin.StartAsync("web");
        _api = await TestOrigin.StartAsync("api");
        var dir = new ManifestDir();
        dir.Write("backends.yaml", ManifestDir.Backend("web", [_web.Port]) + ManifestDir.Backend("api", [_api.Port]));
        dir.Write("shop.yaml", ManifestDir.Ingress("shop", "shop.example.com", "/", "web") + ManifestDir.Ingress("shop-api", "shop.example.com", "/api", "api"));
        dir.Write("broken.yaml", ManifestDir.Ingress("broken", "broken.example.com", "/", "missing-service"));
        dir.Write("secure.yaml", ManifestDir.Ingress("secure", "secure.example.com", "/", "web", tlsSecret: "secure-tls") + TestCertificates.SecretYaml("secure.example.com", "secure-tls"));
        _alb = await AlbInstance.StartAsync(dir);
    }

    public async Task DisposeAsync()
    {
        await _alb.DisposeAsync();
        await _web.DisposeAsync();
        await _api.DisposeAsync();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> GetAsync(string host, string path, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = host;
        configure?.Invoke(request);
        var response = await _alb.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.StartsWith('{') ? JsonDocument.Parse(text).RootElement.Clone() : default;
        return (response.StatusCode, body, response);
    }

    [Fact]
    public async Task Routes_by_host_and_longest_prefix()
    {
        var (status, body, _) = await GetAsync("shop.example.com", "/api/items?x=1");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("api", body.GetProperty("origin").GetString());
        Assert.Equal("/api/items?x=1", body.GetProperty("path").GetString());

        (status, body, _) = await GetAsync("SHOP.example.com:8080", "/apix");
        Assert.Equal("web", body.GetProperty("origin").GetString());
    }

    [Fact]
    public async Task Sends_forwarded_headers_the_original_host_and_a_request_id()
    {
        var raw = await RawHttp.SendAsync(_alb.HttpPort,
            "GET / HTTP/1.1\r\nHost: shop.example.com\r\nConnection: close\r\nKeep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\n" +
            "X-Forwarded-For: 203.0.113.9\r\n\r\n"); // a client cannot spoof its address
        var body = JsonDocument.Parse(raw[raw.IndexOf('{', StringComparison.Ordinal)..raw.LastIndexOf('}')].Trim() + "}").RootElement;
        var headers = body.GetProperty("headers");
        Assert.Equal("shop.example.com", body.GetProperty("host").GetString());
        Assert.Equal("127.0.0.1", headers.GetProperty("x-forwarded-for").GetString());
        Assert.Equal("127.0.0.1", headers.GetProperty("x-real-ip").GetString());
        Assert.Equal("http", headers.GetProperty("x-forwarded-proto").GetString());
        Assert.Equal("shop.example.com", headers.GetProperty("x-forwarded-host").GetString());
        Assert.Equal(_alb.HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), headers.GetProperty("x-forwarded-port").GetString());
        Assert.Matches("^[0-9a-f]{32}$", headers.GetProperty("x-request-id").GetString());
        Assert.False(headers.TryGetProperty("keep-alive", out _), "hop-by-hop headers are dropped: " + raw);
        Assert.False(headers.TryGetProperty("proxy-connection", out _), "hop-by-hop headers are dropped: " + raw);

        (_, body, _) = await GetAsync("shop.example.com", "/", r => r.Headers.Add("X-Request-ID", "client-id-42"));
        Assert.Equal("client-id-42", body.GetProperty("headers").GetProperty("x-request-id").GetString());
    }

    [Fact]
    public async Task Answers_404_when_nothing_matches_and_503_when_the_backend_is_missing()
    {
        var (status, _, _) = await GetAsync("unknown.example.com", "/");
        Assert.Equal(HttpStatusCode.NotFound, status);

        var before = _web.Requests + _api.Requests;
        (status, _, _) = await GetAsync("broken.example.com", "/anything");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal(before, _web.Requests + _api.Requests); // a 503 never falls through to another route
    }

    [Fact]
    public async Task Redirects_http_to_https_with_308_for_tls_hosts()
    {
        var (status, _, response) = await GetAsync("secure.example.com", "/a/b?c=d");
        Assert.Equal(HttpStatusCode.PermanentRedirect, status);
        Assert.Equal($"https://secure.example.com:{_alb.HttpsPort}/a/b?c=d", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task Serves_https_with_sni_over_http2_and_http11()
    {
        using var h2 = _alb.CreateTlsClient("secure.example.com");
        var response = await h2.Client.GetAsync("/path");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal("CN=secure.example.com", h2.LastSubject);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("https", body.GetProperty("headers").GetProperty("x-forwarded-proto").GetString());

        using var h1 = _alb.CreateTlsClient("secure.example.com", HttpVersion.Version11);
        response = await h1.Client.GetAsync("/");
        Assert.Equal(HttpVersion.Version11, response.Version);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        using var other = _alb.CreateTlsClient("shop.example.com");
        response = await other.Client.GetAsync("/api/x");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("CN=Edge ALB Default Certificate", other.LastSubject); // no certificate for this host: the default
    }

    [Fact]
    public async Task Matches_wildcard_sni_names()
    {
        await File.WriteAllTextAsync(Path.Combine(_alb.Manifests.Path, "wild.yaml"),
            ManifestDir.Ingress("wild", "*.secure.example.com", "/", "web", tlsSecret: "secure-tls"));
        await _alb.WaitUntilAsync(
            async () =>
            {
                using var probe = _alb.CreateTlsClient("app.secure.example.com");
                return (await probe.Client.GetAsync("/")).StatusCode == HttpStatusCode.OK;
            },
            TimeSpan.FromSeconds(5),
            "the wildcard host serving");
        using var client = _alb.CreateTlsClient("app.secure.example.com");
        Assert.Equal(HttpStatusCode.OK, (await client.Client.GetAsync("/")).StatusCode);
        Assert.Equal("CN=secure.example.com", client.LastSubject);
    }
}
