using System.Net;
using System.Text.Json;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;

namespace Alb.Tests.Annotations;

/// <summary>custom-headers, proxy-cookie-domain/-path, proxy-redirect-from/-to and connection-proxy-header end to end.</summary>
public sealed class AnswerRewriteTests : IAsyncLifetime
{
    private const string P = "nginx.ingress.kubernetes.io/";
    private TestOrigin _origin = null!;
    private AlbInstance _alb = null!;

    public async Task InitializeAsync()
    {
        _origin = await TestOrigin.StartAsync("o");
        var dir = new ManifestDir();
        dir.Write("all.yaml", ManifestDir.Backend("o", [_origin.Port]) +
            Ing("rewrite", "rewrite.example.com", ("proxy-cookie-domain", "backend.internal shop.example.com"), ("proxy-cookie-path", "/one/ /"), ("proxy-redirect-from", "http://backend.internal/"), ("proxy-redirect-to", "https://shop.example.com/"), ("connection-proxy-header", "close")) +
            Ing("headers", "headers.example.com", ("custom-headers", "default/extra"), ("allowlist-source-range", "10.0.0.0/8")) +
            Ing("headers-ok", "headers-ok.example.com", ("custom-headers", "default/extra")) +
            Ing("not-allowed", "not-allowed.example.com", ("custom-headers", "default/forbidden")) + """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: extra, namespace: default}
            data:
              X-Frame-Options: DENY
              X-Team: payments
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: forbidden, namespace: default}
            data:
              X-Powered-By: alb
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: alb, namespace: ingress}
            data:
              global-allowed-response-headers: "X-Frame-Options, X-Team"
            """);
        _alb = await AlbInstance.StartAsync(dir, "--configmap", "ingress/alb");
    }

    public async Task DisposeAsync()
    {
        await _alb.DisposeAsync();
        await _origin.DisposeAsync();
    }

    private static string Ing(string name, string host, params (string Key, string Value)[] annotations) =>
        ManifestDir.Ingress(name, host, "/", "o", annotations: annotations.ToDictionary(a => P + a.Key, a => a.Value));

    private async Task<HttpResponseMessage> GetAsync(string host, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = host;
        return await _alb.Http.SendAsync(request);
    }

    [Fact]
    public async Task Cookies_and_locations_of_the_backend_are_rewritten()
    {
        using var response = await GetAsync("rewrite.example.com", "/cookie");
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("https://shop.example.com/next", response.Headers.Location?.OriginalString);
        Assert.Equal("a=1; Domain=shop.example.com; Path=/two; HttpOnly", response.Headers.GetValues("Set-Cookie").Single());
    }

    [Fact]
    public async Task Connection_close_is_sent_upstream()
    {
        using var response = await GetAsync("rewrite.example.com", "/");
        var headers = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("headers");
        Assert.Equal("close", headers.GetProperty("connection").GetString());
    }

    [Fact]
    public async Task Custom_headers_go_on_forwarded_answers_and_on_refusals()
    {
        using var ok = await GetAsync("headers-ok.example.com", "/");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("DENY", ok.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("payments", ok.Headers.GetValues("X-Team").Single());

        using var refused = await GetAsync("headers.example.com", "/");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("DENY", refused.Headers.GetValues("X-Frame-Options").Single());
    }

    [Fact]
    public async Task A_header_the_configmap_does_not_allow_denies_the_route()
    {
        var before = _origin.Requests;
        using var response = await GetAsync("not-allowed.example.com", "/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Powered-By"));
        Assert.Equal(before, _origin.Requests);
    }
}
