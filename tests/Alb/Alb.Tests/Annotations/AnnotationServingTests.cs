using System.Net;
using System.Text.Json;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;

namespace Alb.Tests.Annotations;

/// <summary>
/// The annotation families end to end, as ingress-nginx's e2e suite checks them: one alb process, real origins,
/// real sockets; status, Location, CORS headers, which backend answered and what it saw.
/// </summary>
public sealed class AnnotationServingTests : IAsyncLifetime
{
    private const string P = "nginx.ingress.kubernetes.io/";
    private TestOrigin _web = null!;
    private TestOrigin _other = null!;
    private AlbInstance _alb = null!;

    public async Task InitializeAsync()
    {
        _web = await TestOrigin.StartAsync("web");
        _other = await TestOrigin.StartAsync("other");
        var dir = new ManifestDir();
        dir.Write("backends.yaml", ManifestDir.Backend("web", [_web.Port]) + ManifestDir.Backend("other", [_other.Port]));
        dir.Write("ingresses.yaml", string.Concat(
            Ing("redirect", "redirect.example.com", "/", "web", ("permanent-redirect", "https://new.example.com/landing"), ("permanent-redirect-code", "308")),
            Ing("approot", "approot.example.com", "/", "web", ("app-root", "/app")),
            Ing("rewrite", "rewrite.example.com", "/api(/|$)(.*)", "web", ("use-regex", "true"), ("rewrite-target", "/$2"), ("x-forwarded-prefix", "/api")),
            Ing("plain", "rewrite.example.com", "/plain", "other"),
            Ing("cors", "cors.example.com", "/", "web", ("enable-cors", "true"), ("cors-allow-origin", "https://app.example.com, https://*.trusted.example.com"), ("cors-max-age", "600")),
            Ing("cors-closed", "cors-closed.example.com", "/", "web", ("enable-cors", "true"), ("cors-allow-origin", "10.0.0.0/8"), ("allowlist-source-range", "10.0.0.0/8")),
            Ing("cors-star", "cors-star.example.com", "/", "web", ("enable-cors", "true"), ("allowlist-source-range", "10.0.0.0/8")),
            Ing("allow-other", "allow-other.example.com", "/", "web", ("allowlist-source-range", "10.0.0.0/8, 192.168.0.0/16")),
            Ing("allow-us", "allow-us.example.com", "/", "web", ("whitelist-source-range", "127.0.0.1/32")),
            Ing("deny-us", "deny-us.example.com", "/", "web", ("denylist-source-range", "127.0.0.0/8")),
            Ing("deny-bad", "deny-bad.example.com", "/", "web", ("denylist-source-range", "10.0.0.0/8, not-an-address")),
            Ing("limited", "limited.example.com", "/", "web", ("limit-rps", "1")),
            Ing("snippet", "snippet.example.com", "/", "web", ("configuration-snippet", "more_set_headers \\\"X-Evil: 1\\\";")),
            Ing("auth", "auth.example.com", "/", "web", ("auth-url", "http://auth.invalid/verify")),
            Ing("forced", "forced.example.com", "/", "web", ("force-ssl-redirect", "true")),
            Ing("acme", "forced.example.com", "/.well-known/acme-challenge", "other", ("force-ssl-redirect", "true")),
            Ing("vhost", "vhost.example.com", "/", "web", ("upstream-vhost", "internal.example.svc")),
            Ing("aliased", "aliased.example.com", "/", "other", ("server-alias", "alias.example.net, *.wild.example.org"), ("from-to-www-redirect", "true"))));
        _alb = await AlbInstance.StartAsync(dir);
    }

    public async Task DisposeAsync()
    {
        await _alb.DisposeAsync();
        await _web.DisposeAsync();
        await _other.DisposeAsync();
    }

    private static string Ing(string name, string host, string path, string service, params (string Key, string Value)[] annotations) =>
        ManifestDir.Ingress(name, host, path, service, annotations: annotations.ToDictionary(a => P + a.Key, a => a.Value));

    private async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> SendAsync(HttpMethod method, string host, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Host = host;
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await _alb.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.StartsWith('{') ? JsonDocument.Parse(text).RootElement.Clone() : default;
        return (response.StatusCode, body, response);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(",", values) : null;

    [Fact]
    public async Task Permanent_redirect_answers_with_its_code_and_the_url_as_written()
    {
        var before = _web.Requests;
        var (status, _, response) = await SendAsync(HttpMethod.Get, "redirect.example.com", "/anything?x=1");
        Assert.Equal(HttpStatusCode.PermanentRedirect, status);
        Assert.Equal("https://new.example.com/landing", response.Headers.Location?.OriginalString);
        Assert.Equal(before, _web.Requests);
    }

    [Fact]
    public async Task App_root_redirects_only_the_root_and_drops_the_query()
    {
        var (status, _, response) = await SendAsync(HttpMethod.Get, "approot.example.com", "/?x=1");
        Assert.Equal(HttpStatusCode.Found, status);
        Assert.Equal("http://approot.example.com/app", response.Headers.Location?.OriginalString);

        var (other, body, _) = await SendAsync(HttpMethod.Get, "approot.example.com", "/app/page");
        Assert.Equal(HttpStatusCode.OK, other);
        Assert.Equal("/app/page", body.GetProperty("path").GetString());
    }

    [Fact]
    public async Task Rewrite_target_sends_the_captured_path_case_insensitively_with_the_query_and_the_prefix_header()
    {
        var (status, body, _) = await SendAsync(HttpMethod.Get, "rewrite.example.com", "/API/items/7?x=1");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("web", body.GetProperty("origin").GetString());
        Assert.Equal("/items/7?x=1", body.GetProperty("path").GetString());
        Assert.Equal("/api", body.GetProperty("headers").GetProperty("x-forwarded-prefix").GetString());

        (_, body, _) = await SendAsync(HttpMethod.Get, "rewrite.example.com", "/api");
        Assert.Equal("/", body.GetProperty("path").GetString());
    }

    [Fact]
    public async Task Use_regex_turns_every_path_of_the_host_into_a_prefix_regex_as_ingress_nginx_does()
    {
        // The "plain" Ingress set no annotation, but its host is in regex mode: "/plain" is ~* "^/plain".
        var (status, body, _) = await SendAsync(HttpMethod.Get, "rewrite.example.com", "/PLAINfoo");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("other", body.GetProperty("origin").GetString());
        Assert.Equal("/PLAINfoo", body.GetProperty("path").GetString());
        Assert.False(body.GetProperty("headers").TryGetProperty("x-forwarded-prefix", out _));
    }

    [Fact]
    public async Task Cors_preflight_from_an_allowed_origin_is_answered_at_the_edge()
    {
        var before = _web.Requests;
        var (status, _, response) = await SendAsync(HttpMethod.Options, "cors.example.com", "/api", ("Origin", "https://app.example.com"), ("Access-Control-Request-Method", "PUT"));
        Assert.Equal(HttpStatusCode.NoContent, status);
        Assert.Equal("https://app.example.com", Header(response, "Access-Control-Allow-Origin"));
        Assert.Equal("true", Header(response, "Access-Control-Allow-Credentials"));
        Assert.Equal("GET, PUT, POST, DELETE, PATCH, OPTIONS", Header(response, "Access-Control-Allow-Methods"));
        Assert.Equal("600", Header(response, "Access-Control-Max-Age"));
        Assert.Equal(before, _web.Requests);

        (status, _, response) = await SendAsync(HttpMethod.Get, "cors.example.com", "/", ("Origin", "https://api.trusted.example.com"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("https://api.trusted.example.com", Header(response, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Cors_from_an_origin_not_allowed_is_handled_as_if_cors_were_off()
    {
        foreach (var origin in new[] { "https://evil.example.com", "https://a.b.trusted.example.com", "http://app.example.com", "https://app.example.com.evil.net" })
        {
            var (status, body, response) = await SendAsync(HttpMethod.Get, "cors.example.com", "/", ("Origin", origin));
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Null(Header(response, "Access-Control-Allow-Origin"));

            var before = _web.Requests;
            (status, body, response) = await SendAsync(HttpMethod.Options, "cors.example.com", "/", ("Origin", origin));
            Assert.Equal(HttpStatusCode.OK, status); // the preflight reached the backend
            Assert.Equal("OPTIONS", body.GetProperty("method").GetString());
            Assert.Equal(before + 1, _web.Requests);
            Assert.Null(Header(response, "Access-Control-Allow-Origin"));
        }
    }

    [Fact]
    public async Task A_cors_origin_list_that_fails_validation_allows_no_origin()
    {
        var (status, _, response) = await SendAsync(HttpMethod.Options, "cors-closed.example.com", "/", ("Origin", "https://app.example.com"));
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Null(Header(response, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Cors_headers_go_on_refusals_too()
    {
        var (status, _, response) = await SendAsync(HttpMethod.Get, "cors-star.example.com", "/", ("Origin", "https://app.example.com"));
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("*", Header(response, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Source_ranges_allow_and_deny_by_client_address()
    {
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Get, "allow-other.example.com", "/")).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "allow-us.example.com", "/")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Get, "deny-us.example.com", "/")).Status);
    }

    [Fact]
    public async Task A_source_range_with_a_bad_entry_denies_the_route_instead_of_serving_it_unrestricted()
    {
        var before = _web.Requests;
        var (status, _, _) = await SendAsync(HttpMethod.Get, "deny-bad.example.com", "/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal(before, _web.Requests);
    }

    [Fact]
    public async Task Limit_rps_serves_the_burst_then_refuses_with_503()
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 15; i++)
        {
            statuses.Add((await SendAsync(HttpMethod.Get, "limited.example.com", "/")).Status);
        }

        // burst = 1 x 5: the first request and 5 more pass at once; one more may pass as the bucket drains.
        var ok = statuses.Count(s => s == HttpStatusCode.OK);
        Assert.InRange(ok, 6, 8);
        Assert.Equal(15 - ok, statuses.Count(s => s == HttpStatusCode.ServiceUnavailable));
        Assert.Equal(HttpStatusCode.OK, statuses[0]);
    }

    [Fact]
    public async Task An_ingress_with_a_snippet_is_not_served_and_auth_it_cannot_check_fails_closed()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, "snippet.example.com", "/")).Status);
        var before = _web.Requests;
        Assert.Equal(HttpStatusCode.InternalServerError, (await SendAsync(HttpMethod.Get, "auth.example.com", "/")).Status); // the auth service does not resolve
        Assert.Equal(before, _web.Requests);
    }

    [Fact]
    public async Task Force_ssl_redirect_drops_one_trailing_slash_and_spares_acme_challenge_paths()
    {
        var (status, _, response) = await SendAsync(HttpMethod.Get, "forced.example.com", "/docs/");
        Assert.Equal(HttpStatusCode.PermanentRedirect, status);
        Assert.Equal($"https://forced.example.com:{_alb.HttpsPort}/docs", response.Headers.Location?.OriginalString);

        var (acme, body, _) = await SendAsync(HttpMethod.Get, "forced.example.com", "/.well-known/acme-challenge/token");
        Assert.Equal(HttpStatusCode.OK, acme);
        Assert.Equal("other", body.GetProperty("origin").GetString());
    }

    [Fact]
    public async Task Upstream_vhost_replaces_the_host_the_backend_sees()
    {
        var (_, body, _) = await SendAsync(HttpMethod.Get, "vhost.example.com", "/");
        Assert.Equal("internal.example.svc", body.GetProperty("host").GetString());
        Assert.Equal("vhost.example.com", body.GetProperty("headers").GetProperty("x-forwarded-host").GetString());
    }

    [Fact]
    public async Task Server_alias_names_select_the_same_server()
    {
        foreach (var host in new[] { "alias.example.net", "x.wild.example.org", "aliased.example.com" })
        {
            var (status, body, _) = await SendAsync(HttpMethod.Get, host, "/");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("other", body.GetProperty("origin").GetString());
        }
    }

    [Fact]
    public async Task From_to_www_redirect_sends_the_www_twin_to_the_rule_host_with_the_port()
    {
        var (status, _, response) = await SendAsync(HttpMethod.Get, "www.aliased.example.com", "/path/?q=1");
        Assert.Equal(HttpStatusCode.PermanentRedirect, status);
        Assert.Equal($"http://aliased.example.com:{_alb.HttpPort}/path/?q=1", response.Headers.Location?.OriginalString);

        (status, _, response) = await SendAsync(HttpMethod.Get, "www.aliased.example.com", "/docs/");
        Assert.Equal($"http://aliased.example.com:{_alb.HttpPort}/docs", response.Headers.Location?.OriginalString);
    }
}
