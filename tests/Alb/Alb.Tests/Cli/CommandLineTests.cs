using System.Text.Json;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;

namespace Alb.Tests.Cli;

/// <summary>The command-line contract, run as a user runs it: exit codes, one-line errors naming the flag, help.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly ManifestDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Task<(int ExitCode, string Stdout, string Stderr)> AlbAsync(params string[] args) =>
        AlbInstance.RunAsync(args);

    [Theory]
    [InlineData(new[] { "serve", "--manifests", "/nonexistent-dir" }, "--manifests")]
    [InlineData(new[] { "serve" }, "--manifests")]
    [InlineData(new[] { "serve", "--manifests", ".", "--http", "nope" }, "--http")]
    [InlineData(new[] { "serve", "--manifests", ".", "--https", "1.2.3.4:99999" }, "--https")]
    [InlineData(new[] { "serve", "--manifests", ".", "--admin", "example.com:80" }, "--admin")]
    [InlineData(new[] { "serve", "--manifests", ".", "--default-ssl-certificate", "no-slash" }, "--default-ssl-certificate")]
    [InlineData(new[] { "serve", "--manifests", ".", "--configmap", "a/b/c" }, "--configmap")]
    [InlineData(new[] { "serve", "--manifests", ".", "--ingress-class", "Bad_Class" }, "--ingress-class")]
    [InlineData(new[] { "serve", "--manifests", ".", "--log-level", "loud" }, "--log-level")]
    [InlineData(new[] { "serve", "--manifests", ".", "--http", ":9000", "--admin", ":9000" }, "different ports")]
    [InlineData(new[] { "serve", "--manifests", ".", "--frobnicate" }, "--frobnicate")]
    [InlineData(new[] { "serve", "--manifests" }, "--manifests needs a value")]
    [InlineData(new[] { "serve", "--manifests", ".", "--kubeconfig", "/dev/null" }, "--manifests and --kubeconfig exclude each other")]
    [InlineData(new[] { "serve", "--kubeconfig", "/nonexistent/kubeconfig" }, "--kubeconfig")]
    [InlineData(new[] { "serve", "--manifests", ".", "--watch-namespace", "shop" }, "--watch-namespace applies to a cluster")]
    [InlineData(new[] { "serve", "--kubeconfig", "/dev/null", "--watch-namespace", "Bad_NS" }, "--watch-namespace")]
    [InlineData(new[] { "serve", "--kubeconfig", "/dev/null", "--election-id", "UPPER" }, "--election-id")]
    [InlineData(new[] { "serve", "--kubeconfig", "/dev/null", "--election-namespace", "a.b" }, "--election-namespace")]
    [InlineData(new[] { "serve", "--kubeconfig", "/dev/null", "--publish-service", "noslash" }, "--publish-service")]
    [InlineData(new[] { "serve", "--kubeconfig", "/dev/null", "--publish-status-address", "10.0.0.1,bad_host!" }, "--publish-status-address")]
    [InlineData(new[] { "serve", "--kubeconfig", "/dev/null", "--update-status-on-shutdown=maybe" }, "--update-status-on-shutdown")]
    [InlineData(new[] { "serve", "--manifests", ".", "--controller-class", "no-domain-path" }, "--controller-class")]
    [InlineData(new[] { "validate" }, "DIR is required")]
    [InlineData(new[] { "validate", ".", "--output", "yaml" }, "--output")]
    [InlineData(new[] { "explain", ".", "--path", "/" }, "--host")]
    [InlineData(new[] { "explain", ".", "--host", "a", "--path", "relative" }, "--path")]
    [InlineData(new[] { "explain", ".", "--host", "a", "--path", "/", "--header", "novalue" }, "--header")]
    [InlineData(new[] { "launch" }, "unknown command")]
    public async Task Rejects_bad_flags_with_one_line_naming_the_flag_and_exit_2(string[] args, string named)
    {
        var (exit, stdout, stderr) = await AlbAsync(args);
        Assert.Equal(2, exit);
        Assert.Contains(named, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(stdout);
    }

    [Fact]
    public async Task Serve_reports_a_port_in_use_in_one_line_and_exits_1()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        var (exit, _, stderr) = await AlbAsync("serve", "--manifests", _dir.Path, "--http", $"127.0.0.1:{port}", "--https", "127.0.0.1:0",
            "--admin", "127.0.0.1:0", "--log-level", "warning");
        Assert.Equal(1, exit);
        Assert.Contains($"alb serve: cannot listen: Failed to bind to address http://127.0.0.1:{port}", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Documents_every_flag_in_help()
    {
        var (exit, stdout, _) = await AlbAsync("serve", "--help");
        Assert.Equal(0, exit);
        foreach (var flag in new[] { "--manifests", "--http", "--https", "--admin", "--ingress-class", "--watch-ingress-without-class", "--default-ssl-certificate", "--configmap", "--access-log", "--log-level", "--shutdown-timeout",
            "--kubeconfig", "--watch-namespace", "--election-id", "--election-namespace", "--publish-service", "--publish-status-address",
            "--update-status-on-shutdown", "--controller-class" })
        {
            Assert.Contains(flag, stdout, StringComparison.Ordinal);
        }

        (exit, stdout, _) = await AlbAsync("--help");
        Assert.Equal(0, exit);
        Assert.Contains("alb validate", stdout, StringComparison.Ordinal);
        Assert.Contains("alb explain", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_exits_0_when_clean_and_1_with_errors()
    {
        _dir.Write("ok.yaml", ManifestDir.Backend("web", [8080]) + ManifestDir.Ingress("web", "ok.example.com", "/", "web"));
        var (exit, stdout, _) = await AlbAsync("validate", _dir.Path);
        Assert.Equal(0, exit);
        Assert.Contains("0 errors", stdout, StringComparison.Ordinal);

        _dir.Write("bad.yaml", ManifestDir.Ingress("bad", "Bad.Example.com", "/", "web") + ManifestDir.Ingress("missing", "m.example.com", "/", "nope"));
        (exit, stdout, _) = await AlbAsync("validate", _dir.Path, "--output", "json");
        Assert.Equal(1, exit);
        var json = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(2, json.GetProperty("errors").GetInt32());
        var codes = json.GetProperty("diagnostics").EnumerateArray().Select(d => (d.GetProperty("code").GetString(), d.GetProperty("object").GetString(), d.GetProperty("field").GetString())).ToList();
        Assert.Contains(("ALB1201", "Ingress default/bad", "spec.rules[0].host"), codes);
        Assert.Contains(("ALB1301", "Ingress default/missing", "spec.rules[0].http.paths[0].backend.service"), codes);

        _dir.Write("garbage.yaml", "kind: [unterminated");
        (exit, stdout, _) = await AlbAsync("validate", _dir.Path);
        Assert.Equal(1, exit);
        Assert.Contains("ALB1001 garbage.yaml", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_names_the_route_the_rules_it_beat_and_the_endpoints()
    {
        _dir.Write("a.yaml", ManifestDir.Backend("web", [8080]) + ManifestDir.Backend("api", [9090]) +
            ManifestDir.Ingress("web", "shop.example.com", "/", "web") + ManifestDir.Ingress("api", "shop.example.com", "/api", "api"));
        _dir.Write("b.yaml", ManifestDir.Ingress("api-copy", "shop.example.com", "/api", "web")); // same age: namespace/name decides

        var (exit, stdout, _) = await AlbAsync("explain", _dir.Path, "--host", "shop.example.com", "--path", "/api/v1");
        Assert.Equal(0, exit);
        Assert.Contains("=> Prefix", stdout, StringComparison.Ordinal);
        Assert.Contains("Ingress default/api", stdout, StringComparison.Ordinal);
        Assert.Contains("beat Ingress default/api-copy", stdout, StringComparison.Ordinal);
        Assert.Contains("endpoints: 127.0.0.1:9090", stdout, StringComparison.Ordinal);
        Assert.Contains("matches, but an earlier route wins", stdout, StringComparison.Ordinal);

        (exit, stdout, _) = await AlbAsync("explain", _dir.Path, "--host", "nowhere.example.com", "--path", "/", "--output", "json");
        Assert.Equal(0, exit);
        var json = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("CatchAll", json.GetProperty("hostMatch").GetString());
        Assert.StartsWith("404", json.GetProperty("outcome").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_shows_a_route_denied_by_its_auth_configuration_with_the_status_and_the_reason()
    {
        _dir.Write("a.yaml", ManifestDir.Backend("web", [8080]) + ManifestDir.Ingress("dash", "dash.example.com", "/", "web", annotations: new Dictionary<string, string>
        {
            ["nginx.ingress.kubernetes.io/auth-type"] = "basic",
            ["nginx.ingress.kubernetes.io/auth-secret"] = "does-not-exist",
        }));

        var (exit, stdout, _) = await AlbAsync("explain", _dir.Path, "--host", "dash.example.com", "--path", "/admin");
        Assert.Equal(0, exit);
        const string Reason = "nginx.ingress.kubernetes.io/auth-secret: Secret default/does-not-exist does not exist; the route answers 503";
        Assert.Contains("=> Prefix", stdout, StringComparison.Ordinal);
        Assert.Contains($"Deny           answers 503: {Reason}", stdout, StringComparison.Ordinal);
        Assert.Contains($"outcome:  503: {Reason}", stdout, StringComparison.Ordinal);

        (exit, stdout, _) = await AlbAsync("explain", _dir.Path, "--host", "dash.example.com", "--path", "/admin", "--output", "json");
        Assert.Equal(0, exit);
        var json = JsonDocument.Parse(stdout).RootElement;
        var deny = json.GetProperty("route").GetProperty("policies").GetProperty("deny");
        Assert.Equal(503, deny.GetProperty("status").GetInt32());
        Assert.StartsWith(Reason, deny.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.StartsWith($"503: {Reason}", json.GetProperty("outcome").GetString(), StringComparison.Ordinal);
    }
}
