using Alb.Core.Manifests;
using Alb.Core.Routing;
using Alb.Core.Serialization;
using Alb.Core.Translation;
using k8s;
using k8s.Models;
using Xunit;

namespace Alb.Core.Tests.Translation;

/// <summary>
/// What a change leaves alone, a cached translation does not build again: the hosts whose routes come out the same
/// are the instances in service, and so are the backends whose Service and EndpointSlices are the same objects. The
/// random walk checks that this reuse never changes the result: after every edit, the cached translation equals one
/// from scratch, diagnostics and their order included.
/// </summary>
public sealed class TranslationReuseTests
{
    private const string Prefix = "nginx.ingress.kubernetes.io/";

    [Fact]
    public void An_untouched_host_is_the_instance_in_service_and_a_changed_one_is_new()
    {
        var spec = Enumerable.Range(0, 20).Select(i => new IngressSpec(Host: i % 4, Path: i, Service: i % 3)).ToArray();
        var cache = new TranslationCache();
        var first = Translate(spec, Ready(3), cache);

        spec[6] = spec[6] with { Path = 99 }; // an Ingress of host 2 changes a path
        var second = Translate(spec, Ready(3), cache);

        for (var h = 0; h < 4; h++)
        {
            var (before, after) = (Host(first, h), Host(second, h));
            if (h == 2)
            {
                Assert.NotSame(before, after);
                Assert.Contains(after.Routes, r => r.Path == "/p99");
                Assert.Same(before.Fallback, after.Fallback); // the same fallback: kept too
            }
            else
            {
                Assert.Same(before, after);
            }
        }

        Assert.Same(first.Table.Hosts[^1], second.Table.Hosts[^1]); // the catch-all
    }

    [Fact]
    public void A_backend_is_built_again_only_when_its_Service_or_EndpointSlices_change()
    {
        var spec = Enumerable.Range(0, 6).Select(i => new IngressSpec(Host: i, Path: i, Service: i % 2)).ToArray();
        var cache = new TranslationCache();
        var first = Translate(spec, Ready(2), cache);

        var ready = Ready(2);
        ready[1][0] = false; // an endpoint of svc-1 is no longer ready: a new EndpointSlice object
        var second = Translate(spec, ready, cache);

        Assert.Same(Backend(first, 0), Backend(second, 0));
        Assert.NotSame(Backend(first, 1), Backend(second, 1));
        Assert.Equal(["10.0.1.2", "10.0.1.3"], Backend(second, 1).Endpoints.Select(e => e.Address));
        Assert.Equal(3, Backend(first, 1).Endpoints.Count);
    }

    [Theory]
    [InlineData(false)] // every object a new instance at every step, as a rewritten manifest file
    [InlineData(true)] // as an informer: an unchanged object is the same instance at the same place
    public void A_random_walk_over_hosts_paths_annotations_and_endpoints_matches_a_fresh_translation(bool informer)
    {
        var random = new Random(1515);
        var store = new Store(informer);
        var spec = Enumerable.Range(0, 30).Select(i => new IngressSpec(Host: i % 5, Path: i % 7, Service: i % 4)).ToArray();
        var ready = Ready(4);
        var cache = new TranslationCache();
        var reusedHosts = 0;
        VirtualHost[] last = [];

        for (var step = 0; step < 300; step++)
        {
            var snapshot = store.Snapshot(spec, ready);
            var cached = Translator.Translate(snapshot, new TranslationOptions(), cache);
            var scratch = Translator.Translate(snapshot, new TranslationOptions());
            Assert.Equal(scratch.Table, cached.Table);
            Assert.Equal(AlbJson.Serialize(scratch.Table), AlbJson.Serialize(cached.Table));
            Assert.Equal(scratch.Diagnostics.AsEnumerable(), cached.Diagnostics.AsEnumerable());
            reusedHosts += cached.Table.Hosts.Count(h => last.Any(l => ReferenceEquals(l, h)));
            last = [.. cached.Table.Hosts];

            var i = random.Next(spec.Length);
            spec[i] = random.Next(14) switch
            {
                0 => spec[i] with { Host = random.Next(6) }, // 5: no host, the catch-all
                1 => spec[i] with { Path = random.Next(7) }, // paths collide: shadowed routes
                2 => spec[i] with { Service = random.Next(5) }, // svc-4 does not exist
                3 => spec[i] with { Regex = !spec[i].Regex },
                4 => spec[i] with { Tls = !spec[i].Tls },
                5 => spec[i] with { Canary = !spec[i].Canary },
                6 => spec[i] with { Age = random.Next(3) }, // the oldest Ingress of a host decides
                7 => spec[i] with { Alias = !spec[i].Alias },
                8 => spec[i] with { DefaultBackend = !spec[i].DefaultBackend },
                9 => spec[i] with { Removed = !spec[i].Removed },
                10 => spec[i] with { NoPaths = !spec[i].NoPaths }, // a rule that only names its host (and brings its aliases)
                11 => spec[i] with { ErrorsFrom = random.Next(-1, 5) }, // default-backend: a Service that may be gone
                _ => spec[i],
            };
            if (step % 50 == 49)
            {
                store.Relist(random);
            }

            if (random.Next(4) == 0 && ready[random.Next(ready.Length)] is { Length: > 0 } endpoints)
            {
                endpoints[random.Next(endpoints.Length)] ^= true;
            }

            if (random.Next(10) == 0)
            {
                var gone = random.Next(ready.Length);
                ready[gone] = ready[gone].Length == 0 ? [true, true, true] : []; // no endpoints: the Service is gone too
            }
        }

        Assert.True(reusedHosts > 300, $"only {reusedHosts} hosts were reused over the walk");
    }

    private sealed record IngressSpec(int Host, int Path, int Service, bool Regex = false, bool Tls = false, bool Canary = false,
        int Age = 1, bool Alias = false, bool DefaultBackend = false, bool Removed = false, bool NoPaths = false, int ErrorsFrom = -1);

    private static bool[][] Ready(int services) => [.. Enumerable.Range(0, services).Select(_ => new[] { true, true, true })];

    private static TranslationResult Translate(IngressSpec[] spec, bool[][] ready, TranslationCache cache) =>
        Translator.Translate(new Store(informer: false).Snapshot(spec, ready), new TranslationOptions(), cache);

    private static VirtualHost Host(TranslationResult result, int host) => result.Table.Hosts.Single(h => h.Host == $"h{host}.example.com");

    private static Backend Backend(TranslationResult result, int service) => result.Table.Backends.Single(b => b.Service == $"svc-{service}");

    /// <summary>
    /// The objects of each step. Without <c>informer</c>, each call makes new objects, as a rewritten manifest file
    /// would, and a cache sees them as the same only through a uid and a resourceVersion that follow their content.
    /// With it, an object whose content is unchanged is the same instance, listed where an informer would list it.
    /// </summary>
    private sealed class Store(bool informer)
    {
        private readonly Dictionary<string, (string Content, object Item)> _kept = [];
        private readonly InformerList<V1Ingress> _ingresses = new();

        public void Relist(Random random) => _ingresses.Shuffle(random);

        public Alb.Core.Snapshot.ClusterSnapshot Snapshot(IngressSpec[] spec, bool[][] ready)
        {
            var objects = new List<IKubernetesObject<V1ObjectMeta>>();
            for (var s = 0; s < ready.Length; s++)
            {
                if (ready[s].Length == 0)
                {
                    continue;
                }

                objects.Add(Kept($"svc-{s}", "1", () => new V1Service { Metadata = new() { Name = $"svc-{s}", NamespaceProperty = "default" }, Spec = new() { Ports = [new() { Name = "http", Port = 80 }] } }));
                objects.Add(Kept($"slice-{s}", string.Concat(ready[s].Select(up => up ? '1' : '0')), () => new V1EndpointSlice
                {
                    Metadata = new() { Name = $"svc-{s}-1", NamespaceProperty = "default", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = $"svc-{s}" } },
                    AddressType = "IPv4",
                    Ports = [new() { Name = "http", Port = 8080 }],
                    Endpoints = [.. ready[s].Select((up, e) => new V1Endpoint { Addresses = [$"10.0.{s}.{e + 1}"], Conditions = new() { Ready = up } })],
                }));
            }

            for (var i = 0; i < spec.Length; i++)
            {
                var ingress = spec[i];
                _ingresses.Set($"ing-{i}", ingress.Removed ? null : Kept($"ing-{i}", ingress.ToString(), () => Ingress(i, ingress)));
            }

            return SnapshotBuilder.Build([.. objects, .. informer ? _ingresses.Items : _ingresses.Items.OrderBy(x => x.Metadata.Name, StringComparer.Ordinal)]).Snapshot;
        }

        private T Kept<T>(string key, string content, Func<T> make)
            where T : class, IKubernetesObject<V1ObjectMeta>
        {
            if (informer && _kept.TryGetValue(key, out var kept) && kept.Content == content)
            {
                return (T)kept.Item;
            }

            var item = make();
            item.Metadata.Uid = key;
            item.Metadata.ResourceVersion = content.GetHashCode(StringComparison.Ordinal).ToString(System.Globalization.CultureInfo.InvariantCulture);
            _kept[key] = (content, item);
            return item;
        }
    }

    private static V1Ingress Ingress(int i, IngressSpec spec)
    {
        var host = spec.Host < 5 ? $"h{spec.Host}.example.com" : null;
        var annotations = new Dictionary<string, string>();
        if (spec.Regex)
        {
            annotations[Prefix + "use-regex"] = "true";
        }

        if (spec.Canary)
        {
            annotations[Prefix + "canary"] = "true";
            annotations[Prefix + "canary-weight"] = "20";
        }

        if (spec.ErrorsFrom >= 0)
        {
            annotations[Prefix + "default-backend"] = $"svc-{spec.ErrorsFrom}";
        }

        if (spec.Alias)
        {
            annotations[Prefix + "server-alias"] = $"alias{i % 3}.example.com";
        }

        var backend = new V1IngressBackend { Service = new() { Name = $"svc-{spec.Service}", Port = new() { Name = "http" } } };
        return new V1Ingress
        {
            Metadata = new()
            {
                Name = $"ing-{i}",
                NamespaceProperty = "default",
                CreationTimestamp = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddDays(spec.Age).AddSeconds(i),
                Annotations = annotations,
            },
            Spec = new()
            {
                IngressClassName = "alb",
                DefaultBackend = spec.DefaultBackend ? backend : null,
                Tls = spec.Tls && host is not null ? [new() { Hosts = [host], SecretName = "missing-cert" }] : null,
                Rules =
                [
                    new()
                    {
                        Host = host,
                        Http = spec.NoPaths ? null : new() { Paths = [new() { Path = $"/p{spec.Path}", PathType = "Prefix", Backend = backend }, new() { Path = "/", PathType = "Prefix", Backend = backend }] },
                    },
                ],
            },
        };
    }
}
