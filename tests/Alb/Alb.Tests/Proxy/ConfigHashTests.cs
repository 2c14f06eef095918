using Alb.Core.Manifests;
using Alb.Core.Routing;
using Alb.Core.Translation;
using Alb.Proxy;
using k8s;
using k8s.Models;
using Xunit;

namespace Alb.Tests.Proxy;

public sealed class ConfigHashTests
{
    [Fact]
    public void Equal_tables_hash_alike_in_any_instance_and_a_change_anywhere_changes_the_hash()
    {
        var table = Translate("a.example.com", "web", 80);
        var same = Translate("a.example.com", "web", 80);
        var first = new ConfigHash().Of(table);

        Assert.Equal(first, new ConfigHash().Of(same)); // another replica, another run
        Assert.InRange(first, 0, (1L << 48) - 1); // a Prometheus float holds it exactly
        var hash = new ConfigHash();
        Assert.Equal(first, hash.Of(table));
        Assert.Equal(first, hash.Of(RouteTableReuse.Share(same, table))); // parts kept from the serving table

        Assert.NotEqual(first, hash.Of(Translate("b.example.com", "web", 80))); // a host
        Assert.NotEqual(first, hash.Of(Translate("a.example.com", "web", 81))); // a backend
        Assert.NotEqual(first, hash.Of(table with { Settings = table.Settings with { ProxyReadTimeoutSeconds = 61 } })); // the rest
    }

    private static RouteTable Translate(string host, string service, int port)
    {
        var objects = new IKubernetesObject<V1ObjectMeta>[]
        {
            new V1Service { Metadata = new() { Name = service, NamespaceProperty = "default" }, Spec = new() { Ports = [new() { Port = port }] } },
            new V1Ingress
            {
                Metadata = new() { Name = "app", NamespaceProperty = "default" },
                Spec = new()
                {
                    IngressClassName = "alb",
                    Rules = [new() { Host = host, Http = new() { Paths = [new() { Path = "/", PathType = "Prefix", Backend = new() { Service = new() { Name = service, Port = new() { Number = port } } } }] } }],
                },
            },
        };
        return Translator.Translate(SnapshotBuilder.Build(objects).Snapshot, new TranslationOptions()).Table;
    }
}
