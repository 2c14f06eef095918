using System.Text.Json;
using Alb.Fast;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;

namespace Alb.Tests.Serving;

/// <summary>
/// Canaries on alb's own loops: the header, cookie and weight rules choose the canary's pool on the loop, and every
/// request goes to the backend the general path (ALB_FAST_H1=0) sends it to, with the same answer.
/// </summary>
public sealed class FastLoopCanaryTests : IAsyncLifetime
{
    private TestOrigin _main = null!;
    private TestOrigin _canary = null!;
    private AlbInstance _loop = null!;
    private AlbInstance _general = null!;

    public async Task InitializeAsync()
    {
        _main = await TestOrigin.StartAsync("main");
        _canary = await TestOrigin.StartAsync("canary");
        var dir = new ManifestDir();
        dir.Write("backends.yaml", ManifestDir.Backend("main", [_main.Port]) + ManifestDir.Backend("canary", [_canary.Port]) + ManifestDir.Backend("empty", []));
        dir.Write("ingresses.yaml", string.Concat(
            ManifestDir.Ingress("main", "header.example.com", "/", "main"),
            Canary("by-header", "header.example.com", ("canary-by-header", "X-Canary"), ("canary-by-cookie", "canary")),
            ManifestDir.Ingress("main-value", "value.example.com", "/", "main"),
            Canary("by-value", "value.example.com", ("canary-by-header", "X-Canary"), ("canary-by-header-value", "v2")),
            ManifestDir.Ingress("main-pattern", "pattern.example.com", "/", "main"),
            Canary("by-pattern", "pattern.example.com", ("canary-by-header", "X-Canary"), ("canary-by-header-pattern", "^(v2|beta)$")),
            ManifestDir.Ingress("main-all", "all.example.com", "/", "main"),
            Canary("all", "all.example.com", ("canary-weight", "100")),
            ManifestDir.Ingress("main-empty", "empty.example.com", "/", "main"),
            Annotations.CanaryServingTests.Canary("no-endpoints", "empty.example.com", "empty", ("canary-weight", "100"))));
        _loop = await AlbInstance.StartAsync(dir, new Dictionary<string, string> { [FastFrontEnd.Variable] = "1" });
        _general = await AlbInstance.StartAsync(dir, new Dictionary<string, string> { [FastFrontEnd.Variable] = "0" });
    }

    public async Task DisposeAsync()
    {
        await _loop.DisposeAsync();
        await _general.DisposeAsync();
        await _main.DisposeAsync();
        await _canary.DisposeAsync();
    }

    private static string Canary(string name, string host, params (string Key, string Value)[] annotations) =>
        Annotations.CanaryServingTests.Canary(name, host, "canary", annotations);

    [Theory]
    [InlineData("header.example.com", "", "main")]
    [InlineData("header.example.com", "X-Canary: always\r\n", "canary")]
    [InlineData("header.example.com", "X-Canary: never\r\nCookie: canary=always\r\n", "main")]
    [InlineData("header.example.com", "X-Canary: other\r\nCookie: canary=always\r\n", "canary")]
    [InlineData("header.example.com", "X-Canary: always\r\nX-Canary: never\r\n", "canary", false)] // the first value decides (the loop sends both lines on, the general path one joined)
    [InlineData("header.example.com", "Cookie: canary=never\r\n", "main")]
    [InlineData("header.example.com", "Cookie: theme=dark\r\nCookie: canary=always\r\n", "canary")] // two Cookie fields
    [InlineData("header.example.com", "Cookie: canary=\"always\"\r\n", "main")] // the quotes are the value's, as ASP.NET Core reads it
    [InlineData("header.example.com", "x-canary:   always  \r\n", "canary")] // any case, spaces trimmed
    [InlineData("value.example.com", "X-Canary: v2\r\n", "canary")]
    [InlineData("value.example.com", "X-Canary: V2\r\n", "main")]
    [InlineData("value.example.com", "X-Canary: always\r\n", "main")] // not the configured value, weight 0
    [InlineData("pattern.example.com", "X-Canary: beta\r\n", "canary")]
    [InlineData("pattern.example.com", "X-Canary: v3\r\n", "main")]
    [InlineData("all.example.com", "", "canary")]
    [InlineData("empty.example.com", "", "main")] // a canary without endpoints is never chosen
    public async Task Chooses_the_backend_the_general_path_chooses(string host, string fields, string origin, bool sameEcho = true)
    {
        var request = $"GET /p HTTP/1.1\r\nHost: {host}\r\n{fields}X-Request-ID: fixed-id\r\nConnection: close\r\n\r\n";
        var before = HandedOver(await _loop.MetricsAsync());
        var answer = await AnswerParity.AssertSameAnswersAsync(_loop, _general, request, sameEcho);
        Assert.Equal(200, answer.Status);
        Assert.Equal(origin, JsonDocument.Parse(answer.Body).RootElement.GetProperty("origin").GetString());
        Assert.Equal(before, HandedOver(await _loop.MetricsAsync())); // served on the loop
    }

    [Fact]
    public async Task Each_request_on_a_connection_is_chosen_afresh()
    {
        // Several requests on one connection, each chosen afresh: the canary's pool for "always", the primary's else.
        var answers = await RawHttp.SendAsync(_loop.HttpPort,
            "GET /a HTTP/1.1\r\nHost: header.example.com\r\nX-Canary: always\r\n\r\n"
            + "GET /b HTTP/1.1\r\nHost: header.example.com\r\n\r\n"
            + "GET /c HTTP/1.1\r\nHost: header.example.com\r\nCookie: canary=always\r\nConnection: close\r\n\r\n");
        var origins = System.Text.RegularExpressions.Regex.Matches(answers, "\"origin\":\"(\\w+)\"").Select(m => m.Groups[1].Value);
        Assert.Equal(["canary", "main", "canary"], origins);
    }

    private static string? HandedOver(string metrics) =>
        metrics.Split('\n').FirstOrDefault(l => l.StartsWith("alb_fast_handover_total{reason=\"route\"}", StringComparison.Ordinal));
}
