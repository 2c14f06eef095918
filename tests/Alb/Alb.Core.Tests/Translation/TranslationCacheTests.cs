using Alb.Core.Manifests;
using Alb.Core.Routing;
using Alb.Core.Serialization;
using Alb.Core.Translation;
using Edge.Testing;
using k8s;
using k8s.Models;
using Xunit;

namespace Alb.Core.Tests.Translation;

/// <summary>
/// Translating with a <see cref="TranslationCache"/> must give exactly what translating from scratch gives, whatever
/// changed in between. Each golden case's objects go through a random walk of removals, fresh copies (same content,
/// new instance), re-additions and annotation edits; after every step both translations are compared.
/// </summary>
public sealed class TranslationCacheTests
{
    private static readonly string Root = Golden.SourceDirectory("testassets/translation");

    public static TheoryData<string> Cases() => GoldenTranslationTests.Cases();

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_cached_translation_equals_a_fresh_one_after_every_change(string name)
    {
        var dir = Path.Combine(Root, name);
        var options = GoldenTranslationTests.OptionsOf(dir);
        var text = File.ReadAllText(Path.Combine(dir, "input.yaml"));
        var fresh = () => ManifestParser.Parse("input.yaml", text).Objects.Select(o => o.Object).ToArray();
        var current = fresh().Select(o => (IKubernetesObject<V1ObjectMeta>?)o).ToArray();
        var cache = new TranslationCache();
        var random = new Random(name.Length * 7919); // a fixed walk per case
        var reused = 0;

        for (var step = 0; step < 60; step++)
        {
            var snapshot = SnapshotBuilder.Build([.. current.OfType<IKubernetesObject<V1ObjectMeta>>()]).Snapshot;
            var cached = Translator.Translate(snapshot, options, cache);
            var scratch = Translator.Translate(snapshot, options);
            Assert.Equal(scratch.Table, cached.Table);
            Assert.Equal(AlbJson.Serialize(scratch.Table), AlbJson.Serialize(cached.Table));
            Assert.Equal(scratch.Diagnostics.AsEnumerable(), cached.Diagnostics.AsEnumerable());
            reused += cache.Reused;

            var i = random.Next(current.Length);
            switch (random.Next(4))
            {
                case 0: // removed, or back as a new instance
                    current[i] = current[i] is null ? fresh()[i] : null;
                    break;
                case 1: // the same content, a new instance (a relist, a rewritten file)
                    current[i] = current[i] is null ? null : fresh()[i];
                    break;
                case 2 when current[i] is V1Ingress { Metadata.Annotations.Count: > 0 }: // an annotation dropped
                    var edited = (V1Ingress)fresh()[i];
                    var annotations = edited.Metadata.Annotations;
                    annotations.Remove(annotations.Keys.ElementAt(random.Next(annotations.Count)));
                    current[i] = edited;
                    break;
                default: // nothing changed
                    break;
            }
        }

        Assert.True(reused > 0 || !current.OfType<V1Ingress>().Any(), "the cache never reused an Ingress");
    }

    [Fact]
    public void One_changed_Ingress_is_read_again_and_the_others_are_reused()
    {
        var objects = Enumerable.Range(0, 50).Select(i => Ingress($"app-{i}", $"app{i}.example.com")).ToList<IKubernetesObject<V1ObjectMeta>>();
        var cache = new TranslationCache();
        Translator.Translate(SnapshotBuilder.Build([.. objects]).Snapshot, new TranslationOptions(), cache);
        Assert.Equal((0, 50), (cache.Reused, cache.Read));

        objects[7] = Ingress("app-7", "changed.example.com");
        var result = Translator.Translate(SnapshotBuilder.Build([.. objects]).Snapshot, new TranslationOptions(), cache);
        Assert.Equal((49, 1), (cache.Reused, cache.Read));
        Assert.Contains(result.Table.Hosts, h => h.Host == "changed.example.com");

        objects.RemoveAt(3);
        Translator.Translate(SnapshotBuilder.Build([.. objects]).Snapshot, new TranslationOptions(), cache);
        Assert.Equal((49, 0), (cache.Reused, cache.Read));
    }

    [Fact]
    public void An_Ingress_is_read_again_when_a_Secret_it_looked_up_changes_or_appears()
    {
        var ingress = Ingress("admin", "admin.example.com", ("nginx.ingress.kubernetes.io/auth-type", "basic"), ("nginx.ingress.kubernetes.io/auth-secret", "users"));
        var other = Ingress("web", "web.example.com");
        var cache = new TranslationCache();

        var missing = Translator.Translate(SnapshotBuilder.Build(ingress, other).Snapshot, new TranslationOptions(), cache);
        Assert.NotNull(Route(missing, "admin.example.com").Policies.Deny); // no Secret: the route fails closed

        var users = Secret("users", "alice:{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=");
        var present = Translator.Translate(SnapshotBuilder.Build(ingress, other, users).Snapshot, new TranslationOptions(), cache);
        Assert.Equal((1, 1), (cache.Reused, cache.Read));
        Assert.Null(Route(present, "admin.example.com").Policies.Deny);

        var rotated = Secret("users", "bob:{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=");
        var changed = Translator.Translate(SnapshotBuilder.Build(ingress, other, rotated).Snapshot, new TranslationOptions(), cache);
        Assert.Equal((1, 1), (cache.Reused, cache.Read));
        Assert.Equal("bob", Assert.Single(Route(changed, "admin.example.com").Policies.BasicAuth!.Users).Name);
        Assert.Equal(Translator.Translate(SnapshotBuilder.Build(ingress, other, rotated).Snapshot, new TranslationOptions()).Table, changed.Table);
    }

    [Fact]
    public void A_reused_Ingress_loses_its_default_backend_when_the_Service_goes()
    {
        var ingress = Ingress("shop", "shop.example.com", ("nginx.ingress.kubernetes.io/default-backend", "errors"));
        var errors = new V1Service { Metadata = new() { Name = "errors", NamespaceProperty = "default" }, Spec = new() { Ports = [new() { Port = 8080 }] } };
        var cache = new TranslationCache();
        var with = Translator.Translate(SnapshotBuilder.Build(ingress, errors).Snapshot, new TranslationOptions(), cache);
        Assert.NotNull(Route(with, "shop.example.com").Policies.Errors);

        var without = Translator.Translate(SnapshotBuilder.Build(ingress).Snapshot, new TranslationOptions(), cache);
        Assert.Equal((1, 0), (cache.Reused, cache.Read)); // the Service is not an annotation lookup: the Ingress is reused
        Assert.Null(Route(without, "shop.example.com").Policies.Errors);
    }

    [Fact]
    public void Objects_from_the_API_server_are_the_same_at_the_same_uid_and_resourceVersion()
    {
        var cache = new TranslationCache();
        var first = Ingress("app", "app.example.com");
        first.Metadata.Uid = "u-1";
        first.Metadata.ResourceVersion = "41";
        Translator.Translate(SnapshotBuilder.Build(first).Snapshot, new TranslationOptions(), cache);

        var relisted = Ingress("app", "app.example.com"); // a relist decodes a new instance of the same version
        relisted.Metadata.Uid = "u-1";
        relisted.Metadata.ResourceVersion = "41";
        Translator.Translate(SnapshotBuilder.Build(relisted).Snapshot, new TranslationOptions(), cache);
        Assert.Equal((1, 0), (cache.Reused, cache.Read));

        var recreated = Ingress("app", "app.example.com"); // deleted and created again: a new uid
        recreated.Metadata.Uid = "u-2";
        recreated.Metadata.ResourceVersion = "41";
        Translator.Translate(SnapshotBuilder.Build(recreated).Snapshot, new TranslationOptions(), cache);
        Assert.Equal((0, 1), (cache.Reused, cache.Read));
    }

    [Fact]
    public void A_reused_Ingress_keeps_its_route_instances_until_its_route_changes()
    {
        var shop = Ingress("shop", "shop.example.com");
        shop.Spec.Rules[0].Http.Paths[0].Path = "/cart/"; // "/cart" on a plain host, "/cart/" on a regex host
        var objects = new List<IKubernetesObject<V1ObjectMeta>> { shop, Ingress("web", "web.example.com") };
        var cache = new TranslationCache();
        var first = Route(Translator.Translate(SnapshotBuilder.Build([.. objects]).Snapshot, new TranslationOptions(), cache), "shop.example.com");

        objects[1] = Ingress("web", "other.example.com"); // a change elsewhere: shop's route is the one in service
        var second = Route(Translator.Translate(SnapshotBuilder.Build([.. objects]).Snapshot, new TranslationOptions(), cache), "shop.example.com");
        Assert.Same(first, second);

        // An older Ingress of the same host turns it into a regex host: shop is reused, its route (path) is not.
        var regex = Ingress("regex", "shop.example.com", ("nginx.ingress.kubernetes.io/use-regex", "true"));
        regex.Metadata.CreationTimestamp = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        regex.Spec.Rules[0].Http.Paths[0].Path = "/api";
        objects.Add(regex);
        var snapshot = SnapshotBuilder.Build([.. objects]).Snapshot;
        var cached = Translator.Translate(snapshot, new TranslationOptions(), cache);
        var third = cached.Table.Hosts.Single(h => h.Host == "shop.example.com").Routes.Single(r => r.Source.Ingress == "shop");
        Assert.Equal(("/cart", "/cart/"), (second.Path, third.Path));
        Assert.Equal(Translator.Translate(snapshot, new TranslationOptions()).Table, cached.Table);
    }

    [Fact]
    public void A_change_of_the_global_settings_reads_every_Ingress_again()
    {
        var objects = new List<IKubernetesObject<V1ObjectMeta>> { Ingress("a", "a.example.com"), Ingress("b", "b.example.com") };
        var options = new TranslationOptions { ConfigMap = "default/alb" };
        var cache = new TranslationCache();
        Translator.Translate(SnapshotBuilder.Build([.. objects]).Snapshot, options, cache);

        objects.Add(new V1ConfigMap { Metadata = new() { Name = "alb", NamespaceProperty = "default" }, Data = new Dictionary<string, string> { ["ssl-redirect"] = "false" } });
        Translator.Translate(SnapshotBuilder.Build([.. objects]).Snapshot, options, cache);
        Assert.Equal((0, 2), (cache.Reused, cache.Read));
    }

    private static Route Route(TranslationResult result, string host) =>
        result.Table.Hosts.Single(h => h.Host == host).Routes.Single();

    private static V1Secret Secret(string name, string auth) => new()
    {
        Metadata = new() { Name = name, NamespaceProperty = "default" },
        Data = new Dictionary<string, byte[]> { ["auth"] = System.Text.Encoding.UTF8.GetBytes(auth) },
    };

    private static V1Ingress Ingress(string name, string host, params (string Key, string Value)[] annotations) => new()
    {
        Metadata = new()
        {
            Name = name,
            NamespaceProperty = "default",
            Annotations = annotations.Length == 0 ? null : annotations.ToDictionary(a => a.Key, a => a.Value),
        },
        Spec = new()
        {
            IngressClassName = "alb",
            Rules = [new() { Host = host, Http = new() { Paths = [new() { Path = "/", PathType = "Prefix", Backend = new() { Service = new() { Name = "web", Port = new() { Number = 80 } } } }] } }],
        },
    };
}
