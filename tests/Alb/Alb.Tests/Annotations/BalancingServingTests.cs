using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;

namespace Alb.Tests.Annotations;

/// <summary>Affinity, consistent hashing and EWMA over two real endpoints of one Service.</summary>
public sealed class BalancingServingTests : IAsyncLifetime
{
    private const string P = "nginx.ingress.kubernetes.io/";
    private TestOrigin _a = null!;
    private TestOrigin _b = null!;
    private TestOrigin _fast = null!;
    private TestOrigin _slow = null!;
    private AlbInstance _alb = null!;

    public async Task InitializeAsync()
    {
        _a = await TestOrigin.StartAsync("a");
        _b = await TestOrigin.StartAsync("b");
        _fast = await TestOrigin.StartAsync("fast");
        _slow = await TestOrigin.StartAsync("slow");
        _slow.DelayMs = 40;
        var dir = new ManifestDir();
        dir.Write("backends.yaml", ManifestDir.Backend("pair", [_a.Port, _b.Port]) + ManifestDir.Backend("mixed", [_fast.Port, _slow.Port]));
        dir.Write("ingresses.yaml", string.Concat(
            Ing("sticky", "sticky.example.com", "pair", ("affinity", "cookie"), ("session-cookie-name", "route"), ("session-cookie-max-age", "3600"), ("session-cookie-samesite", "Lax")),
            Ing("persistent", "persistent.example.com", "pair", ("affinity", "cookie"), ("affinity-mode", "persistent")),
            Ing("hashed", "hashed.example.com", "pair", ("upstream-hash-by", "$request_uri")),
            Ing("ewma", "ewma.example.com", "mixed", ("load-balance", "ewma")),
            // proxy-buffering keeps this round-robin route on the general path (as the EWMA route), with the front end's loops too.
            Ing("round-robin", "rr.example.com", "mixed", ("proxy-buffering", "on"))));
        _alb = await AlbInstance.StartAsync(dir);
    }

    public async Task DisposeAsync()
    {
        await _alb.DisposeAsync();
        foreach (var origin in new[] { _a, _b, _fast, _slow })
        {
            await origin.DisposeAsync();
        }
    }

    private static string Ing(string name, string host, string service, params (string Key, string Value)[] annotations) =>
        ManifestDir.Ingress(name, host, "/", service, annotations: annotations.ToDictionary(a => P + a.Key, a => a.Value));

    private async Task<(string Origin, string? SetCookie)> GetAsync(string host, string path = "/", string? cookie = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = host;
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        using var response = await _alb.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var origin = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("origin").GetString()!;
        return (origin, response.Headers.TryGetValues("Set-Cookie", out var values) ? values.Single() : null);
    }

#pragma warning disable CA5351 // the cookie format ingress-nginx uses, not security
    private static string Md5(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));
#pragma warning restore CA5351

    [Fact]
    public async Task Cookie_affinity_pins_a_client_and_sets_the_cookie_only_on_a_new_pick()
    {
        var (first, setCookie) = await GetAsync("sticky.example.com");
        Assert.NotNull(setCookie);
        var backendKey = Md5(Md5("default-pair-80") + "default-pair-80");
        Assert.Matches($"^route=[^|;]+\\|{backendKey}; Max-Age=3600; Path=/; HttpOnly; SameSite=Lax$", setCookie);
        var cookie = setCookie![..setCookie.IndexOf(';', StringComparison.Ordinal)];

        for (var i = 0; i < 12; i++)
        {
            var (origin, again) = await GetAsync("sticky.example.com", cookie: cookie);
            Assert.Equal(first, origin);
            Assert.Null(again);
        }

        // Without the cookie, new clients spread over both endpoints.
        var seen = new HashSet<string>();
        for (var i = 0; i < 30 && seen.Count < 2; i++)
        {
            seen.Add((await GetAsync("sticky.example.com")).Origin);
        }

        Assert.Equal(2, seen.Count);
    }

    [Fact]
    public async Task Persistent_affinity_names_the_endpoint_and_replaces_an_unknown_one()
    {
        var (first, setCookie) = await GetAsync("persistent.example.com");
        var port = first == "a" ? _a.Port : _b.Port;
        Assert.StartsWith($"INGRESSCOOKIE={Md5($"default-pair-80127.0.0.1:{port}")}|", setCookie, StringComparison.Ordinal);
        Assert.NotNull(setCookie);
        var cookie = setCookie[..setCookie.IndexOf(';', StringComparison.Ordinal)];
        Assert.Equal(first, (await GetAsync("persistent.example.com", cookie: cookie)).Origin);

        var (_, replaced) = await GetAsync("persistent.example.com", cookie: "INGRESSCOOKIE=0123456789abcdef|x");
        Assert.NotNull(replaced);
    }

    [Fact]
    public async Task Upstream_hash_by_sends_one_uri_to_one_endpoint_and_spreads_uris()
    {
        var byUri = new Dictionary<string, string>();
        for (var i = 0; i < 40; i++)
        {
            byUri[$"/item/{i}"] = (await GetAsync("hashed.example.com", $"/item/{i}")).Origin;
        }

        foreach (var (uri, origin) in byUri.Take(10))
        {
            for (var k = 0; k < 3; k++)
            {
                Assert.Equal(origin, (await GetAsync("hashed.example.com", uri)).Origin);
            }
        }

        Assert.Equal(2, byUri.Values.Distinct().Count());
    }

    [Fact]
    public async Task Ewma_prefers_the_faster_endpoint()
    {
        // Warm both endpoints' connections (and the path's code) through a round-robin route of the same path first:
        // EWMA's first sample of an endpoint weighs fully, and a cold connection would make the fast endpoint look
        // slow for a long while (as in nginx).
        for (var i = 0; i < 6; i++)
        {
            await GetAsync("rr.example.com");
        }

        var fast = 0;
        for (var i = 0; i < 60; i++)
        {
            if ((await GetAsync("ewma.example.com")).Origin == "fast")
            {
                fast++;
            }
        }

        // Round robin would give 30; EWMA learns the 40 ms endpoint after a request or two.
        Assert.True(fast >= 50, $"fast endpoint answered {fast} of 60");
    }
}
