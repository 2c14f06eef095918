using Alb.Core.Manifests;
using Alb.Core.Routing;
using Alb.Core.Translation;
using k8s;
using k8s.Models;
using Xunit;

namespace Alb.Core.Tests.Routing;

public sealed class RouteTableReuseTests
{
    [Fact]
    public void Unchanged_hosts_and_backends_become_the_serving_objects_and_the_table_stays_equal()
    {
        var serving = Translate(Ingress("a", "a.example.com", "web"), Ingress("b", "b.example.com", "web"), Service("web"), Service("api"));
        var next = Translate(Ingress("a", "a.example.com", "web"), Ingress("b", "b.example.com", "api"), Service("web"), Service("api"));

        var shared = RouteTableReuse.Share(next, serving);

        Assert.Equal(next, shared);
        Assert.Same(Host(serving, "a.example.com"), Host(shared, "a.example.com"));
        Assert.NotSame(Host(serving, "b.example.com"), Host(shared, "b.example.com")); // its backend changed
        Assert.Same(Host(next, "b.example.com"), Host(shared, "b.example.com"));
        Assert.Same(serving.Backends.Single(b => b.Service == "web"), shared.Backends.Single(b => b.Service == "web"));
        Assert.Same(serving.Settings, shared.Settings);
    }

    [Fact]
    public void A_matcher_keeps_the_entries_of_shared_hosts_and_matches_as_a_new_one()
    {
        var serving = Translate(Ingress("a", "a.example.com", "web"), Ingress("b", "b.example.com", "web"), Service("web"));
        var next = RouteTableReuse.Share(Translate(Ingress("a", "a.example.com", "web"), Ingress("b", "b.example.com", "web", "/v2"), Service("web")), serving);
        var previous = new RouteMatcher(serving);

        var reused = new RouteMatcher(next, previous);
        var fresh = new RouteMatcher(next);

        foreach (var (host, path) in new[] { ("a.example.com", "/x"), ("b.example.com", "/v2/y"), ("b.example.com", "/"), ("other", "/") })
        {
            var expected = fresh.Match(host, path);
            var actual = reused.Match(host, path);
            Assert.Equal(expected.Route, actual.Route);
            Assert.Equal(expected.Host, actual.Host);
        }

        Assert.Same(previous.Match("a.example.com", "/").Route, reused.Match("a.example.com", "/").Route);
        Assert.Equal("/v2", reused.Match("b.example.com", "/v2/y").Route!.Path); // the changed host's new entry
    }

    private static VirtualHost Host(RouteTable table, string name) => table.Hosts.Single(h => h.Host == name);

    private static RouteTable Translate(params IKubernetesObject<V1ObjectMeta>[] objects) =>
        Translator.Translate(SnapshotBuilder.Build(objects).Snapshot, new TranslationOptions()).Table;

    private static V1Service Service(string name) => new()
    {
        Metadata = new() { Name = name, NamespaceProperty = "default" },
        Spec = new() { Ports = [new() { Name = "http", Port = 80 }] },
    };

    private static V1Ingress Ingress(string name, string host, string service, string path = "/") => new()
    {
        Metadata = new() { Name = name, NamespaceProperty = "default" },
        Spec = new()
        {
            IngressClassName = "alb",
            Rules = [new() { Host = host, Http = new() { Paths = [new() { Path = path, PathType = "Prefix", Backend = new() { Service = new() { Name = service, Port = new() { Number = 80 } } } }] } }],
        },
    };
}
