using System.Net;
using System.Text.Json;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;

namespace Alb.Tests.Serving;

/// <summary>Balancing, passive health, retries and gRPC-style HTTP/2 passthrough.</summary>
public sealed class UpstreamTests : IAsyncLifetime
{
    private TestOrigin _one = null!;
    private TestOrigin _two = null!;
    private TestOrigin _h2 = null!;
    private AlbInstance _alb = null!;
    private int _deadPort;

    public async Task InitializeAsync()
    {
        _one = await TestOrigin.StartAsync("one");
        _two = await TestOrigin.StartAsync("two");
        _h2 = await TestOrigin.StartAsync("grpc", http2Only: true);
        _deadPort = FreePort.Next(); // nothing listens here
        var dir = new ManifestDir();
        dir.Write("all.yaml",
            ManifestDir.Backend("pair", [_one.Port, _two.Port]) +
            ManifestDir.Backend("flaky", [_one.Port, _deadPort]) +
            ManifestDir.Backend("grpc", [_h2.Port]) +
            ManifestDir.Ingress("pair", "pair.example.com", "/", "pair") +
            ManifestDir.Ingress("flaky", "flaky.example.com", "/", "flaky") +
            ManifestDir.Ingress("grpc", "grpc.example.com", "/", "grpc", annotations: new Dictionary<string, string> { ["nginx.ingress.kubernetes.io/backend-protocol"] = "GRPC" }));
        _alb = await AlbInstance.StartAsync(dir);
    }

    public async Task DisposeAsync()
    {
        await _alb.DisposeAsync();
        await _one.DisposeAsync();
        await _two.DisposeAsync();
        await _h2.DisposeAsync();
    }

    private async Task<(HttpStatusCode Status, string Origin)> GetAsync(string host, HttpMethod? method = null, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, "/") { Headers = { Host = host }, Content = content };
        using var response = await _alb.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.StartsWith('{') ? JsonDocument.Parse(text).RootElement.GetProperty("origin").GetString()! : "");
    }

    [Fact]
    public async Task Balances_round_robin_over_ready_endpoints()
    {
        var seen = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var (status, origin) = await GetAsync("pair.example.com");
            Assert.Equal(HttpStatusCode.OK, status);
            seen.Add(origin);
        }

        Assert.Equal(5, seen.Count(o => o == "one"));
        Assert.Equal(5, seen.Count(o => o == "two"));
    }

    [Fact]
    public async Task A_client_that_goes_away_is_not_an_upstream_failure()
    {
        foreach (var path in new[] { "/slow?ms=3000", "/stream?chunks=20&ms=100" })
        {
            using var abort = new CancellationTokenSource();
            using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Host = "pair.example.com" } };
            var sending = _alb.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, abort.Token);
            await Task.Delay(300); // waiting for the answer, or in the middle of the body
            await abort.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await (await sending).Content.ReadAsStringAsync(abort.Token));
        }

        await Task.Delay(500);
        var metrics = await _alb.MetricsAsync();
        Assert.DoesNotContain("alb_upstream_failures_total{kind=\"other\"} 1", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("alb_upstream_failures_total{kind=\"other\"} 2", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain(" failed: ", _alb.Process.Output(), StringComparison.Ordinal); // no upstream warning
        Assert.DoesNotContain("RequestCanceled", _alb.Process.Output(), StringComparison.Ordinal);
        Assert.DoesNotContain("ResponseBodyCanceled", _alb.Process.Output(), StringComparison.Ordinal);

        var (status, _) = await GetAsync("pair.example.com"); // both endpoints still in rotation
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("pair.example.com")).Status);
    }

    [Fact]
    public async Task Retries_a_refused_connection_on_another_endpoint_and_takes_the_dead_one_out()
    {
        for (var i = 0; i < 10; i++)
        {
            var (status, origin) = await GetAsync("flaky.example.com");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("one", origin);
        }

        var metrics = await _alb.MetricsAsync();
        var line = metrics.Split('\n').Single(l => l.StartsWith("alb_upstream_failures_total{kind=\"connect\"}", StringComparison.Ordinal));
        Assert.Equal(1, double.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture)); // marked failed after the first refusal

        // Requests with a body are not replayed, but once the dead endpoint is marked they are not sent there either.
        var (postStatus, _) = await GetAsync("flaky.example.com", HttpMethod.Post, new StringContent("payload"));
        Assert.Equal(HttpStatusCode.OK, postStatus);
    }

    [Fact]
    public async Task Reuses_upstream_connections()
    {
        var before = _one.Connections + _two.Connections;
        for (var i = 0; i < 30; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await GetAsync("pair.example.com")).Status);
        }

        Assert.InRange(_one.Connections + _two.Connections - before, 0, 2); // one kept-alive connection per endpoint
    }

    [Fact]
    public async Task Streams_responses_without_buffering_them()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/stream?chunks=5&ms=600") { Headers = { Host = "pair.example.com" } };
        var started = DateTime.UtcNow;
        using var response = await _alb.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal("chunk 0", await reader.ReadLineAsync());
        var firstChunk = DateTime.UtcNow - started;
        var rest = await reader.ReadToEndAsync();
        var total = DateTime.UtcNow - started;
        Assert.Contains("chunk 4", rest, StringComparison.Ordinal);
        Assert.True(firstChunk < TimeSpan.FromSeconds(1.5) && total > TimeSpan.FromSeconds(2.4), $"first chunk after {firstChunk}, all after {total}");
    }

    [Fact]
    public async Task Passes_http2_with_trailers_to_grpc_backends()
    {
        using var client = _alb.CreateTlsClient("grpc.example.com");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/trailers")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent([0, 0, 0, 0, 0]) { Headers = { ContentType = new("application/grpc") } },
        };
        request.Headers.TE.ParseAdd("trailers");
        using var response = await client.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("payload", await response.Content.ReadAsStringAsync());
        Assert.True(response.TrailingHeaders.Contains("grpc-status"), $"v={response.Version} headers: {response.Headers} {response.Content.Headers} trailers: {response.TrailingHeaders}");
        Assert.Equal("0", response.TrailingHeaders.GetValues("grpc-status").Single());
        Assert.Equal("ok-from-grpc", response.TrailingHeaders.GetValues("grpc-message").Single());
    }
}
