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
        dir.Write("all.yaml", ManifestDir.Backend("web", [_origin.Port], ns: "shop") + ManifestDir.Ingress("storefront", "metrics.example.com", "/", "web", ns: "shop"));
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
