using System.Net;
using System.Text.Json;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;

namespace Alb.Tests.Annotations;

/// <summary>
/// default-backend, custom-http-errors and service-upstream over real sockets, as ingress-nginx's e2e tests check
/// them: which backend answered, and the X-Code headers the default backend sees.
/// </summary>
public sealed class ErrorPagesTests : IAsyncLifetime
{
    private const string P = "nginx.ingress.kubernetes.io/";
    private TestOrigin _app = null!;
    private TestOrigin _errors = null!;
    private AlbInstance _alb = null!;

    public async Task InitializeAsync()
    {
        _app = await TestOrigin.StartAsync("app");
        _errors = await TestOrigin.StartAsync("errors");
        var dir = new ManifestDir();
        var clusterIpService = $$"""
            apiVersion: v1
            kind: Service
            metadata: {name: by-cluster-ip, namespace: default}
            spec:
              clusterIP: 127.0.0.1
              ports: [{name: http, port: {{_app.Port}}}]
            ---

            """;
        dir.Write("all.yaml", ManifestDir.Backend("app", [_app.Port]) + ManifestDir.Backend("errors", [_errors.Port]) + ManifestDir.Backend("empty", []) + clusterIpService +
            Ing("pages", "pages.example.com", "app", ("custom-http-errors", "404,503"), ("default-backend", "errors")) +
            Ing("fallback", "fallback.example.com", "empty", ("default-backend", "errors")) +
            Ing("own-pages", "own.example.com", "app", ("custom-http-errors", "404")) +
            ManifestDir.Ingress("cluster-ip", "clusterip.example.com", "/", "by-cluster-ip", annotations: new Dictionary<string, string> { [P + "service-upstream"] = "true" }).Replace("number: 80", $"number: {_app.Port}", StringComparison.Ordinal));
        _alb = await AlbInstance.StartAsync(dir);
    }

    public async Task DisposeAsync()
    {
        await _alb.DisposeAsync();
        await _app.DisposeAsync();
        await _errors.DisposeAsync();
    }

    private static string Ing(string name, string host, string service, params (string Key, string Value)[] annotations) =>
        ManifestDir.Ingress(name, host, "/", service, annotations: annotations.ToDictionary(a => P + a.Key, a => a.Value));

    private async Task<(HttpStatusCode Status, string Text)> GetAsync(string host, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = host;
        request.Headers.Accept.ParseAdd("text/html");
        using var response = await _alb.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_intercepted_status_is_answered_by_the_default_backend_with_x_code()
    {
        var (status, text) = await GetAsync("pages.example.com", "/status?code=404");
        Assert.Equal(HttpStatusCode.OK, status); // the default backend's own answer, as nginx's error_page =
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal("errors", body.GetProperty("origin").GetString());
        Assert.Equal("/", body.GetProperty("path").GetString());
        var headers = body.GetProperty("headers");
        Assert.Equal("404", headers.GetProperty("x-code").GetString());
        Assert.Equal("text/html", headers.GetProperty("x-format").GetString());
        Assert.Equal("/status?code=404", headers.GetProperty("x-original-uri").GetString());
        Assert.Equal("default", headers.GetProperty("x-namespace").GetString());
        Assert.Equal("pages", headers.GetProperty("x-ingress-name").GetString());
        Assert.Equal("app", headers.GetProperty("x-service-name").GetString());
        Assert.Equal("80", headers.GetProperty("x-service-port").GetString());
    }

    [Fact]
    public async Task Other_statuses_pass_through()
    {
        var (status, text) = await GetAsync("pages.example.com", "/status?code=500");
        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Equal("app", JsonDocument.Parse(text).RootElement.GetProperty("origin").GetString());
    }

    [Fact]
    public async Task A_service_without_endpoints_falls_back_to_the_default_backend()
    {
        var (status, text) = await GetAsync("fallback.example.com", "/some/path");
        Assert.Equal(HttpStatusCode.OK, status);
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal("errors", body.GetProperty("origin").GetString());
        Assert.Equal("/some/path", body.GetProperty("path").GetString());
        Assert.Equal("503", body.GetProperty("headers").GetProperty("x-code").GetString());
    }

    [Fact]
    public async Task Without_a_default_backend_alb_answers_with_its_own_page()
    {
        var (status, text) = await GetAsync("own.example.com", "/status?code=404");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("404 Not Found\n", text);
    }

    [Fact]
    public async Task Service_upstream_sends_to_the_cluster_ip()
    {
        var before = _app.Requests;
        var (status, text) = await GetAsync("clusterip.example.com", "/");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("app", JsonDocument.Parse(text).RootElement.GetProperty("origin").GetString());
        Assert.Equal(before + 1, _app.Requests); // the Service has no EndpointSlice: only its cluster IP leads here
    }
}
