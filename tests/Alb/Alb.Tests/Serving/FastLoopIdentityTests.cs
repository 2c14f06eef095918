using Alb.Fast;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;

namespace Alb.Tests.Serving;

/// <summary>
/// use-forwarded-headers, compute-full-forwarded-for and proxy-real-ip-cidr on the front end's loop: the client a
/// trusted peer names (source ranges, X-Real-IP, the access log), the chain, scheme, host and port it forwards, and
/// ssl-redirect skipped for what it saw as HTTPS; the same answers and the same backend view as alb without the loop.
/// </summary>
public sealed class FastLoopIdentityTests : IAsyncLifetime
{
    private const string Prefix = "nginx.ingress.kubernetes.io/";
    private TestOrigin _origin = null!;
    private AlbInstance _loop = null!;
    private AlbInstance _general = null!;

    public async Task InitializeAsync()
    {
        _origin = await TestOrigin.StartAsync("o");
        var dir = new ManifestDir();
        dir.Write("all.yaml", ManifestDir.Backend("o", [_origin.Port])
            + ManifestDir.Ingress("open", "open.example.com", "/", "o")
            + ManifestDir.Ingress("ranged", "ranged.example.com", "/", "o", annotations: new Dictionary<string, string> { [Prefix + "allowlist-source-range"] = "203.0.113.0/24" })
            + ManifestDir.Ingress("secure", "secure.example.com", "/", "o", annotations: new Dictionary<string, string> { [Prefix + "force-ssl-redirect"] = "true" }) + """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: alb, namespace: ingress}
            data:
              use-forwarded-headers: "true"
              compute-full-forwarded-for: "true"
              proxy-real-ip-cidr: "127.0.0.1/32, 10.0.0.0/8"
            """);
        _loop = await AlbInstance.StartAsync(dir, new Dictionary<string, string> { [FastFrontEnd.Variable] = "1" }, "--configmap", "ingress/alb");
        _general = await AlbInstance.StartAsync(dir, new Dictionary<string, string> { [FastFrontEnd.Variable] = "0" }, "--configmap", "ingress/alb");
    }

    public async Task DisposeAsync()
    {
        await _loop.DisposeAsync();
        await _general.DisposeAsync();
        await _origin.DisposeAsync();
    }

    [Theory]
    [InlineData("GET /a HTTP/1.1\r\nHost: open.example.com\r\nX-Forwarded-For: 198.51.100.1, 203.0.113.9, 10.1.1.1\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: public.example.com\r\nX-Forwarded-Port: 443\r\n")]
    [InlineData("GET /a HTTP/1.1\r\nHost: open.example.com\r\nX-Forwarded-For: 198.51.100.1\r\nX-Forwarded-For: 203.0.113.9\r\n")]
    [InlineData("GET /a HTTP/1.1\r\nHost: open.example.com\r\nX-Forwarded-For: not-an-address, 203.0.113.9\r\n")]
    [InlineData("GET /a HTTP/1.1\r\nHost: open.example.com\r\n")]
    [InlineData("GET /r HTTP/1.1\r\nHost: ranged.example.com\r\nX-Forwarded-For: 203.0.113.7\r\n")]
    [InlineData("GET /r HTTP/1.1\r\nHost: ranged.example.com\r\nX-Forwarded-For: 198.51.100.7\r\n")]
    [InlineData("GET /r HTTP/1.1\r\nHost: ranged.example.com\r\n")]
    [InlineData("GET /s/?q=1 HTTP/1.1\r\nHost: secure.example.com\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Host: public.example.com:8443\r\n")]
    [InlineData("GET /s HTTP/1.1\r\nHost: secure.example.com\r\nX-Forwarded-Proto: https\r\n")]
    public async Task Answers_and_forwards_as_the_general_path_does(string head)
    {
        await AnswerParity.AssertSameAnswersAsync(_loop, _general, head + "X-Request-ID: fixed-id\r\nConnection: close\r\n\r\n");

        var metrics = await _loop.MetricsAsync();
        Assert.DoesNotContain(metrics.Split('\n'), l => l.StartsWith("alb_fast_handover_total{", StringComparison.Ordinal)); // the loop served it
    }

    [Fact]
    public async Task Source_ranges_and_the_backend_see_the_client_a_trusted_peer_names()
    {
        var admitted = await RawHttp.SendAsync(_loop.HttpPort, "GET /r HTTP/1.1\r\nHost: ranged.example.com\r\nX-Forwarded-For: 198.51.100.1, 203.0.113.9, 10.1.1.1\r\nConnection: close\r\n\r\n");
        Assert.Equal(200, RawHttp.Status(admitted));
        Assert.Contains("\"x-real-ip\":\"203.0.113.9\"", admitted, StringComparison.Ordinal);
        Assert.Contains("\"x-forwarded-for\":\"198.51.100.1, 203.0.113.9, 10.1.1.1, 127.0.0.1\"", admitted, StringComparison.Ordinal);
        var refused = await RawHttp.SendAsync(_loop.HttpPort, "GET /r HTTP/1.1\r\nHost: ranged.example.com\r\nConnection: close\r\n\r\n");
        Assert.Equal(403, RawHttp.Status(refused)); // the peer itself, 127.0.0.1, is not in the allow list
        var metrics = await _loop.MetricsAsync();
        Assert.Contains("alb_upstream_forward_total{path=\"loop\"} 1", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("reason=\"not_served_here\"", metrics, StringComparison.Ordinal);
    }
}
