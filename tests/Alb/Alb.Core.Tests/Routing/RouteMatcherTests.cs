using Alb.Core.Manifests;
using Alb.Core.Routing;
using Alb.Core.Translation;
using Xunit;

namespace Alb.Core.Tests.Routing;

public sealed class RouteMatcherTests
{
    private static RouteMatcher Compile(string yaml)
    {
        var (snapshot, _) = SnapshotBuilder.Build([ManifestParser.Parse("t.yaml", yaml)]);
        return new RouteMatcher(Translator.Translate(snapshot, new TranslationOptions()).Table);
    }

    private static string Rule(string host, params (string Path, string Type, string Svc)[] paths) =>
        $$"""
          - host: "{{host}}"
            http:
              paths:
        {{string.Join("\n", paths.Select(p => $"      - {{path: \"{p.Path}\", pathType: {p.Type}, backend: {{service: {{name: {p.Svc}, port: {{number: 80}}}}}}}}"))}}
        """;

    private static string Ingress(string name, params string[] rules) =>
        $"""
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {"{"}name: {name}, namespace: default{"}"}
        spec:
          ingressClassName: alb
          rules:
        {string.Join("\n", rules)}
        ---
        """;

    private static readonly RouteMatcher Matcher = Compile(
        Ingress(
            "paths",
            Rule("paths.example.com",
                ("/foo", "Prefix", "prefix-foo"),
                ("/foo/bar/", "Prefix", "prefix-foo-bar"),
                ("/foo", "Exact", "exact-foo"),
                ("/", "Prefix", "root"),
                ("/Case", "Exact", "case"),
                ("/impl", "ImplementationSpecific", "impl")),
            Rule("*.wild.example.com", ("/", "Prefix", "wild")),
            Rule("exact.wild.example.com", ("/", "Prefix", "exact-over-wild")),
            Rule("nopath.example.com", ("/only", "Prefix", "only")),
            Rule("", ("/any", "Prefix", "catch-all"))));

    private static string? Service(string host, string path)
    {
        var match = Matcher.Match(host, path);
        return match.Route?.BackendId is { } id ? id.Split('/', ':')[1] : null;
    }

    [Theory]
    [InlineData("/foo", "exact-foo")]          // Exact beats Prefix of the same path
    [InlineData("/foo/", "prefix-foo")]
    [InlineData("/foo/x", "prefix-foo")]
    [InlineData("/foobar", "root")]           // element-wise: /foo does not match /foobar
    [InlineData("/foo/bar", "prefix-foo-bar")] // trailing slash of a Prefix path is ignored
    [InlineData("/foo/bar/baz", "prefix-foo-bar")]
    [InlineData("/foo/barbaz", "prefix-foo")]
    [InlineData("/Case", "case")]
    [InlineData("/case", "root")]             // paths are case-sensitive
    [InlineData("/impl/x", "impl")]           // ImplementationSpecific is matched as Prefix
    [InlineData("/implx", "root")]
    [InlineData("", "root")]
    public void Accepts_paths_with_ingress_precedence(string path, string expected) =>
        Assert.Equal(expected, Service("paths.example.com", path));

    [Theory]
    [InlineData("PATHS.Example.COM", "root")]           // hosts are case-insensitive
    [InlineData("paths.example.com:8080", "root")]      // the port is ignored
    [InlineData("paths.example.com.", "root")]          // so is a trailing dot
    [InlineData("a.wild.example.com", "wild")]          // single-label wildcard
    [InlineData("exact.wild.example.com", "exact-over-wild")]
    public void Accepts_hosts(string host, string expected) => Assert.Equal(expected, Service(host, "/"));

    [Theory]
    [InlineData("wild.example.com")]      // *.wild.example.com does not match its own suffix
    [InlineData("a.b.wild.example.com")]  // nor two labels
    [InlineData("unknown.example.com")]
    [InlineData("[::1]:8080")]
    [InlineData("")]
    public void Rejects_hosts_that_do_not_match_and_uses_the_catch_all(string host)
    {
        Assert.Equal("catch-all", Service(host, "/any"));
        Assert.Null(Service(host, "/other"));
        Assert.Equal(RouteTable.CatchAllHost, Matcher.Match(host, "/other").Host.Host);
    }

    [Fact]
    public void A_known_host_never_falls_through_to_catch_all_rules()
    {
        // nginx picks the server by Host first: /any exists only on the catch-all server.
        var match = Matcher.Match("nopath.example.com", "/any");
        Assert.True(match.IsFallback);
        Assert.Null(match.Route!.BackendId);
        Assert.Equal("nopath.example.com", match.Host.Host);
    }
}
