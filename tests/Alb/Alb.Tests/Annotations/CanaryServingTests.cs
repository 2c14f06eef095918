using System.Net;
using System.Text.Json;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;

namespace Alb.Tests.Annotations;

/// <summary>Canary Ingresses over real sockets, as ingress-nginx's e2e canary tests check them: which backend answered.</summary>
public sealed class CanaryServingTests : IAsyncLifetime
{
    private const string P = "nginx.ingress.kubernetes.io/";
    private TestOrigin _main = null!;
    private TestOrigin _canary = null!;
    private AlbInstance _alb = null!;

    public async Task InitializeAsync()
    {
        _main = await TestOrigin.StartAsync("main");
        _canary = await TestOrigin.StartAsync("canary");
        var dir = new ManifestDir();
        dir.Write("backends.yaml", ManifestDir.Backend("main", [_main.Port]) + ManifestDir.Backend("canary", [_canary.Port]) + ManifestDir.Backend("empty", []));
        dir.Write("ingresses.yaml", string.Concat(
            ManifestDir.Ingress("main", "header.example.com", "/", "main"),
            Canary("by-header", "header.example.com", "canary", ("canary-by-header", "X-Canary"), ("canary-by-cookie", "canary")),
            ManifestDir.Ingress("main-value", "value.example.com", "/", "main"),
            Canary("by-value", "value.example.com", "canary", ("canary-by-header", "X-Canary"), ("canary-by-header-value", "v2"), ("canary-weight", "100")),
            ManifestDir.Ingress("main-pattern", "pattern.example.com", "/", "main"),
            Canary("by-pattern", "pattern.example.com", "canary", ("canary-by-header", "X-Canary"), ("canary-by-header-pattern", "^(v2|beta)$")),
            ManifestDir.Ingress("main-weight", "weight.example.com", "/", "main"),
            Canary("by-weight", "weight.example.com", "canary", ("canary-weight", "30")),
            ManifestDir.Ingress("main-empty", "empty.example.com", "/", "main"),
            Canary("no-endpoints", "empty.example.com", "empty", ("canary-weight", "100"))));
        _alb = await AlbInstance.StartAsync(dir);
    }

    public async Task DisposeAsync()
    {
        await _alb.DisposeAsync();
        await _main.DisposeAsync();
        await _canary.DisposeAsync();
    }

    /// <summary>A canary Ingress (canary: "true" and the annotations given, without their prefix) of host "/" to service.</summary>
    internal static string Canary(string name, string host, string service, params (string Key, string Value)[] annotations) =>
        ManifestDir.Ingress(name, host, "/", service, annotations: annotations.Prepend(("canary", "true")).ToDictionary(a => P + a.Item1, a => a.Item2));

    private async Task<string> OriginAsync(string host, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Host = host;
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await _alb.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("origin").GetString()!;
    }

    [Fact]
    public async Task Header_always_and_never_decide_before_the_cookie()
    {
        Assert.Equal("main", await OriginAsync("header.example.com"));
        Assert.Equal("canary", await OriginAsync("header.example.com", ("X-Canary", "always")));
        Assert.Equal("main", await OriginAsync("header.example.com", ("X-Canary", "never"), ("Cookie", "canary=always")));
        Assert.Equal("canary", await OriginAsync("header.example.com", ("X-Canary", "other"), ("Cookie", "canary=always")));
        Assert.Equal("main", await OriginAsync("header.example.com", ("Cookie", "canary=never")));
    }

    [Fact]
    public async Task Header_value_must_match_exactly_else_the_weight_decides()
    {
        Assert.Equal("canary", await OriginAsync("value.example.com", ("X-Canary", "v2")));
        // "always" is not the configured value: it falls through to the weight (100 here: the canary).
        Assert.Equal("canary", await OriginAsync("value.example.com", ("X-Canary", "always")));
        Assert.Equal("canary", await OriginAsync("value.example.com"));
    }

    [Fact]
    public async Task Header_pattern_selects_the_canary()
    {
        Assert.Equal("canary", await OriginAsync("pattern.example.com", ("X-Canary", "beta")));
        Assert.Equal("main", await OriginAsync("pattern.example.com", ("X-Canary", "v3")));
        Assert.Equal("main", await OriginAsync("pattern.example.com"));
    }

    [Fact]
    public async Task Weight_30_sends_about_30_percent_to_the_canary()
    {
        var canary = 0;
        const int requests = 400;
        for (var i = 0; i < requests; i++)
        {
            if (await OriginAsync("weight.example.com") == "canary")
            {
                canary++;
            }
        }

        // Binomial(400, 0.3): mean 120, sd 9.2; 88..152 is beyond 3.4 sd on each side.
        Assert.InRange(canary, 88, 152);
    }

    [Fact]
    public async Task A_canary_without_endpoints_is_never_chosen()
    {
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("main", await OriginAsync("empty.example.com"));
        }
    }
}
