using System.Net;
using System.Text.Json;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;

namespace Alb.Tests.Serving;

/// <summary>Admin endpoints, ingress-nginx-compatible metrics and the JSON access log.</summary>
public sealed class ObservabilityTests : IAsyncLifetime
{
    private TestOrigin _origin = null!;
    private AlbInstance _alb = null!;
    private string _accessLog = null!;

    public async Task InitializeAsync()
    {
        _origin = await TestOrigin.StartAsync("o");
        var dir = new ManifestDir();
        _accessLog = Path.Combine(Path.GetTempPath(), $"alb-access-{Guid.NewGuid():N}.log");
        dir.Write("all.yaml", ManifestDir.Backend("web", [_origin.Port], ns: "shop") + ManifestDir.Ingress("storefront", "metrics.example.com", "/", "web", ns: "shop")
            + ManifestDir.Ingress("sizes", "sizes.example.com", "/", "web", ns: "shop"));
        _alb = await AlbInstance.StartAsync(dir, "--access-log", _accessLog);
    }

    public async Task DisposeAsync()
    {
        await _alb.DisposeAsync();
        await _origin.DisposeAsync();
        File.Delete(_accessLog);
    }

    [Fact]
    public async Task Serves_healthz_readyz_and_metrics_on_the_admin_listener_only()
    {
        Assert.Equal("ok\n", await _alb.Admin.GetStringAsync("/healthz"));
        Assert.Equal(HttpStatusCode.OK, (await _alb.Admin.GetAsync("/readyz")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _alb.Admin.GetAsync("/other")).StatusCode);

        // The data-plane listener does not expose admin paths.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Host = "unknown.example.com" } };
        Assert.Equal(HttpStatusCode.NotFound, (await _alb.Http.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task Counts_requests_with_ingress_nginx_names_and_labels()
    {
        for (var i = 0; i < 3; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/x") { Headers = { Host = "metrics.example.com" } };
            Assert.Equal(HttpStatusCode.OK, (await _alb.Http.SendAsync(request)).StatusCode);
        }

        using var weird = new HttpRequestMessage(new HttpMethod("BREW"), "/x") { Headers = { Host = "metrics.example.com" } };
        await _alb.Http.SendAsync(weird);

        var metrics = await _alb.MetricsAsync();
        Assert.Contains("nginx_ingress_controller_requests{host=\"metrics.example.com\",ingress=\"storefront\",method=\"GET\",namespace=\"shop\",path=\"/\",service=\"web\",status=\"200\",canary=\"\"} 3", metrics, StringComparison.Ordinal);
        Assert.Contains("method=\"OTHER\"", metrics, StringComparison.Ordinal); // unknown methods cannot grow the label space
        Assert.DoesNotContain("BREW", metrics, StringComparison.Ordinal);
        Assert.Contains("nginx_ingress_controller_request_duration_seconds_bucket{host=\"metrics.example.com\"", metrics, StringComparison.Ordinal);
        Assert.Contains("nginx_ingress_controller_request_size_count", metrics, StringComparison.Ordinal);
        Assert.Contains("nginx_ingress_controller_response_size_count", metrics, StringComparison.Ordinal);
        Assert.Contains("nginx_ingress_controller_config_last_reload_successful 1", metrics, StringComparison.Ordinal);
        Assert.Matches("nginx_ingress_controller_config_hash [0-9.e+]+", metrics);
        Assert.Contains("alb_reloads_total{result=\"applied\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("alb_active_connections{listener=\"http\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("process_working_set_bytes", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reports_the_time_the_garbage_collector_has_paused_the_process()
    {
        // Requests allocate in alb: send them until its gen0 collection count moves, then the pause total must have
        // moved with it (every collection pauses the managed threads, if only for microseconds), as has the count of
        // bytes allocated.
        var metrics = await _alb.MetricsAsync();
        double pause = Sample(metrics, "dotnet_gc_pause_seconds_total "), collections = Sample(metrics, "dotnet_collection_count_total{generation=\"0\"} ");
        var allocated = Sample(metrics, "dotnet_gc_allocated_bytes_total ");
        Assert.True(pause >= 0);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Sample(metrics, "dotnet_collection_count_total{generation=\"0\"} ") == collections)
        {
            Assert.True(DateTime.UtcNow < deadline, "alb did not collect in 60 s of requests");
            await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/x") { Headers = { Host = "metrics.example.com" } };
                using var response = await _alb.Http.SendAsync(request);
            }));
            metrics = await _alb.MetricsAsync();
        }

        Assert.True(Sample(metrics, "dotnet_gc_pause_seconds_total ") > pause, metrics);
        Assert.True(Sample(metrics, "dotnet_gc_allocated_bytes_total ") > allocated, metrics);
    }

    [Fact]
    public async Task The_config_hash_follows_the_table_that_serves_the_first_one_made_after_ready()
    {
        // The first table's hash is made after alb is ready (System.Text.Json's start is not on the ready path).
        async Task<double> HashAsync() => Sample(await _alb.MetricsAsync(), "nginx_ingress_controller_config_hash ");
        await _alb.WaitUntilAsync(async () => await HashAsync() != 0, TimeSpan.FromSeconds(5), "the first table's hash");
        var first = await HashAsync();

        _alb.Manifests.Write("more.yaml", ManifestDir.Ingress("more", "more.example.com", "/", "web", ns: "shop"));
        await _alb.WaitUntilAsync(async () => await HashAsync() != first, TimeSpan.FromSeconds(5), "the changed table's hash");
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = "more.example.com" } })
        {
            Assert.Equal(HttpStatusCode.OK, (await _alb.Http.SendAsync(request)).StatusCode);
        }

        _alb.Manifests.Delete("more.yaml");
        await _alb.WaitUntilAsync(async () => await HashAsync() == first, TimeSpan.FromSeconds(5), "the first table's hash again"); // the same table, the same hash
    }

    private static double Sample(string metrics, string prefix)
    {
        var line = metrics.Split('\n').Single(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return double.Parse(line[prefix.Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Counts_the_bytes_of_chunked_bodies_in_request_and_response_sizes()
    {
        // Responses without Content-Length: 1 chunk of 8 bytes, then 11 chunks of 89 bytes; the headers are the same.
        await SendAsync(HttpMethod.Get, "/stream?chunks=1&ms=0", null);
        var first = Sum(await _alb.MetricsAsync(), "response_size", "GET");
        await SendAsync(HttpMethod.Get, "/stream?chunks=11&ms=0", null);
        var both = Sum(await _alb.MetricsAsync(), "response_size", "GET");
        Assert.Equal(89 - 8, both - first - first);
        Assert.InRange(first, 8 + 40, 8 + 400); // the body, the status line and the headers

        // Chunked uploads of 100 and 1,000 bytes.
        await SendAsync(HttpMethod.Post, "/body", new byte[100]);
        var small = Sum(await _alb.MetricsAsync(), "request_size", "POST");
        await SendAsync(HttpMethod.Post, "/body", new byte[1000]);
        var smallAndLarge = Sum(await _alb.MetricsAsync(), "request_size", "POST");
        Assert.Equal(900, smallAndLarge - small - small);
        Assert.InRange(small, 100 + 40, 100 + 400);
    }

    private async Task SendAsync(HttpMethod method, string path, byte[]? chunkedBody)
    {
        using var request = new HttpRequestMessage(method, path) { Headers = { Host = "sizes.example.com" } };
        if (chunkedBody is not null)
        {
            request.Content = new StreamContent(new MemoryStream(chunkedBody));
            request.Headers.TransferEncodingChunked = true;
        }

        using var response = await _alb.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await response.Content.ReadAsByteArrayAsync();
    }

    private static long Sum(string metrics, string histogram, string method)
    {
        var pattern = $"nginx_ingress_controller_{histogram}_sum{{host=\"sizes.example.com\",ingress=\"sizes\",method=\"{method}\",namespace=\"shop\",path=\"/\",service=\"web\",status=\"200\",canary=\"\"}} ";
        var line = metrics.Split('\n').Single(l => l.StartsWith(pattern, StringComparison.Ordinal));
        return (long)double.Parse(line[pattern.Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Writes_one_json_access_log_line_per_request_without_secrets()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/private?token=query-secret") { Headers = { Host = "metrics.example.com" } };
        request.Headers.Add("Authorization", "Bearer auth-secret-value");
        request.Headers.Add("Cookie", "session=cookie-secret-value");
        request.Headers.Add("X-Request-ID", "log-test-id");
        Assert.Equal(HttpStatusCode.OK, (await _alb.Http.SendAsync(request)).StatusCode);

        string? line = null;
        await _alb.WaitUntilAsync(
            () =>
            {
                line = File.Exists(_accessLog) ? File.ReadAllLines(_accessLog).FirstOrDefault(l => l.Contains("log-test-id", StringComparison.Ordinal)) : null;
                return Task.FromResult(line is not null);
            },
            TimeSpan.FromSeconds(5),
            "the access log line");

        var entry = JsonDocument.Parse(line!).RootElement;
        Assert.Equal("GET", entry.GetProperty("method").GetString());
        Assert.Equal("/private", entry.GetProperty("path").GetString());
        Assert.Equal(200, entry.GetProperty("status").GetInt32());
        Assert.Equal("storefront", entry.GetProperty("ingress").GetString());
        Assert.Equal("shop", entry.GetProperty("namespace").GetString());
        Assert.Equal("web", entry.GetProperty("service").GetString());
        Assert.Equal($"127.0.0.1:{_origin.Port}", entry.GetProperty("upstream_addr").GetString());
        Assert.Equal("127.0.0.1", entry.GetProperty("client").GetString());
        Assert.True(entry.GetProperty("duration").GetDouble() >= 0);

        var all = await File.ReadAllTextAsync(_accessLog);
        Assert.DoesNotContain("auth-secret-value", all, StringComparison.Ordinal);
        Assert.DoesNotContain("cookie-secret-value", all, StringComparison.Ordinal);
        Assert.DoesNotContain("query-secret", all, StringComparison.Ordinal);
        Assert.DoesNotContain("auth-secret-value", string.Join("\n", _alb.Process.Stderr), StringComparison.Ordinal);
    }
}
