using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;

namespace Alb.Tests.Auth;

/// <summary>
/// auth-type: basic end to end, as ingress-nginx's e2e suite checks it, with htpasswd lines made by the real tools
/// (htpasswd, openssl passwd) in every format alb accepts; satisfy with source ranges; the fail-closed outcomes.
/// </summary>
public sealed class BasicAuthTests : IAsyncLifetime
{
    private const string P = "nginx.ingress.kubernetes.io/";

    /// <summary>One user per hash format: (user, password, htpasswd line).</summary>
    private static readonly (string User, string Password, Func<string, string> Hash)[] Users =
    [
        ("bcrypt", "b-Secret 1", p => ExternalTool.Htpasswd("-nbB", p, "-C", "5")),
        ("apr1", "apr-pässword", p => ExternalTool.Htpasswd("-nbm", p)),
        ("sha1", "sha one", p => ExternalTool.Htpasswd("-nbs", p)),
        ("sha256", "crypt five", p => ExternalTool.OpenSslPasswd("-5", p)),
        ("sha512", "crypt six", p => ExternalTool.OpenSslPasswd("-6", p)),
        ("md5", "md5 crypt", p => ExternalTool.OpenSslPasswd("-1", p)),
        ("ssha", "salted", Ssha),
    ];

    private TestOrigin _web = null!;
    private AlbInstance _alb = null!;

    public async Task InitializeAsync()
    {
        _web = await TestOrigin.StartAsync("web");
        var lines = string.Join("\n", Users.Select(u => $"{u.User}:{u.Hash(u.Password)}")) + "\n# a comment\nbroken line without colon\n";
        var dir = new ManifestDir();
        dir.Write("backends.yaml", ManifestDir.Backend("web", [_web.Port]) + Secret("default", "htpasswd", "auth", lines) +
            Secret("default", "empty", "auth", "") + Secret("default", "nokey", "users", "x") + Secret("other", "elsewhere", "auth", lines) +
            Secret("default", "map", "alice", ExternalTool.Htpasswd("-nbB", "wonderland", "-C", "5")));
        dir.Write("ingresses.yaml", string.Concat(
            Ing("basic", "basic.example.com", "/", ("auth-type", "basic"), ("auth-secret", "htpasswd"), ("auth-realm", "test auth")),
            Ing("acme", "basic.example.com", "/.well-known/acme-challenge", ("auth-type", "basic"), ("auth-secret", "htpasswd")),
            Ing("map", "map.example.com", "/", ("auth-type", "basic"), ("auth-secret", "default/map"), ("auth-secret-type", "auth-map")),
            Ing("cors", "cors.example.com", "/", ("auth-type", "basic"), ("auth-secret", "htpasswd"), ("enable-cors", "true")),
            Ing("any", "any.example.com", "/", ("auth-type", "basic"), ("auth-secret", "htpasswd"), ("satisfy", "any"), ("allowlist-source-range", "127.0.0.1/32")),
            Ing("any-other", "any-other.example.com", "/", ("auth-type", "basic"), ("auth-secret", "htpasswd"), ("satisfy", "any"), ("allowlist-source-range", "10.0.0.0/8")),
            Ing("all", "all.example.com", "/", ("auth-type", "basic"), ("auth-secret", "htpasswd"), ("allowlist-source-range", "10.0.0.0/8")),
            Ing("empty", "empty.example.com", "/", ("auth-type", "basic"), ("auth-secret", "empty")),
            Ing("nokey", "nokey.example.com", "/", ("auth-type", "basic"), ("auth-secret", "nokey")),
            Ing("missing", "missing.example.com", "/", ("auth-type", "basic"), ("auth-secret", "does-not-exist")),
            Ing("cross", "cross.example.com", "/", ("auth-type", "basic"), ("auth-secret", "other/elsewhere")),
            Ing("digest", "digest.example.com", "/", ("auth-type", "digest"), ("auth-secret", "htpasswd")),
            Ing("notype", "notype.example.com", "/", ("auth-secret", "htpasswd")),
            Ing("badtype", "badtype.example.com", "/", ("auth-type", "kerberos"), ("auth-secret", "htpasswd"))));
        _alb = await AlbInstance.StartAsync(dir);
    }

    public async Task DisposeAsync()
    {
        await _alb.DisposeAsync();
        await _web.DisposeAsync();
    }

    [Fact]
    public async Task Every_hash_format_logs_in_and_the_backend_never_sees_the_credentials()
    {
        foreach (var (user, password, _) in Users)
        {
            var (status, body, _) = await GetAsync("basic.example.com", "/", Basic(user, password));
            Assert.True(status == HttpStatusCode.OK, $"{user}: {status}");
            Assert.False(body.GetProperty("headers").TryGetProperty("authorization", out _), $"{user}: Authorization reached the backend");
        }

        Assert.Equal(HttpStatusCode.OK, (await GetAsync("map.example.com", "/", Basic("alice", "wonderland"))).Status);
    }

    [Fact]
    public async Task Missing_malformed_or_wrong_credentials_get_401_with_the_realm()
    {
        var before = _web.Requests;
        string?[] attempts =
        [
            null, "Basic", "Basic !!!notbase64", "Bearer abc", "Basic " + Convert.ToBase64String("nocolon"u8.ToArray()),
            Basic("bcrypt", "wrong")!, Basic("nobody", "b-Secret 1")!, Basic("BCRYPT", "b-Secret 1")!, Basic("bcrypt", "b-Secret 1 ")!,
            Basic("apr1", "apr-passwörd")!,
        ];
        foreach (var authorization in attempts)
        {
            var (status, _, response) = await GetAsync("basic.example.com", "/", authorization);
            Assert.True(status == HttpStatusCode.Unauthorized, $"{authorization}: {status}");
            Assert.Equal("Basic realm=\"test auth\"", response.Headers.WwwAuthenticate.ToString());
            Assert.Contains("401 Authorization Required", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(before, _web.Requests);
    }

    [Fact]
    public async Task The_acme_challenge_path_needs_no_credentials()
    {
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("basic.example.com", "/.well-known/acme-challenge/token")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync("basic.example.com", "/.well-known/other")).Status);
    }

    [Fact]
    public async Task A_401_carries_the_cors_headers()
    {
        var (status, _, response) = await GetAsync("cors.example.com", "/");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task Satisfy_any_lets_an_allowed_address_or_a_valid_user_in_and_all_needs_both()
    {
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("any.example.com", "/")).Status);
        var (status, _, response) = await GetAsync("any-other.example.com", "/");
        Assert.Equal(HttpStatusCode.Unauthorized, status); // 401 beats 403 when nothing passed
        Assert.Equal("Basic realm=\"\"", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("any-other.example.com", "/", Basic("sha1", "sha one"))).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync("all.example.com", "/", Basic("sha1", "sha one"))).Status);
    }

    [Fact]
    public async Task Broken_configurations_fail_closed()
    {
        var before = _web.Requests;
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync("empty.example.com", "/", Basic("bcrypt", "b-Secret 1"))).Status);
        foreach (var host in new[] { "nokey", "missing", "cross", "digest", "notype" })
        {
            Assert.True((await GetAsync($"{host}.example.com", "/", Basic("bcrypt", "b-Secret 1"))).Status == HttpStatusCode.ServiceUnavailable, host);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync("badtype.example.com", "/")).Status); // the Ingress is not served
        Assert.Equal(before, _web.Requests);
    }

    [Fact]
    public async Task Validate_names_each_broken_ingress_and_annotation()
    {
        var result = await AlbInstance.RunAsync("validate", _alb.Manifests.Path);
        var output = result.Stdout + result.Stderr;
        Assert.Contains("ALB2901", output, StringComparison.Ordinal);
        Assert.Contains("Ingress default/cross", output, StringComparison.Ordinal);
        Assert.Contains("ALB2902", output, StringComparison.Ordinal); // "broken line without colon"
        Assert.DoesNotContain("b-Secret", output, StringComparison.Ordinal);
        Assert.DoesNotContain("$2y$", output, StringComparison.Ordinal);
    }

    private static string? Basic(string user, string password) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    private static string Ssha(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(8);
#pragma warning disable CA5350 // {SSHA} is defined over SHA-1; the test makes one as LDAP tools do
        var digest = SHA1.HashData([.. Encoding.UTF8.GetBytes(password), .. salt]);
#pragma warning restore CA5350
        return "{SSHA}" + Convert.ToBase64String([.. digest, .. salt]);
    }

    private static string Secret(string ns, string name, string key, string value) =>
        $"---\napiVersion: v1\nkind: Secret\nmetadata: {{name: {name}, namespace: {ns}}}\ndata:\n  {key}: \"{Convert.ToBase64String(Encoding.UTF8.GetBytes(value))}\"\n";

    private static string Ing(string name, string host, string path, params (string Key, string Value)[] annotations) =>
        ManifestDir.Ingress(name, host, path, "web", annotations: annotations.ToDictionary(a => P + a.Key, a => a.Value));

    private async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> GetAsync(string host, string path, string? authorization = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Host = host } };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        var response = await _alb.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.StartsWith('{') ? JsonDocument.Parse(text).RootElement.Clone() : default, response);
    }
}
