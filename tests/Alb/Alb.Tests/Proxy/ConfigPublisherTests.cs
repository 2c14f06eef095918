using System.Globalization;
using Alb.Core.Manifests;
using Alb.Core.Routing;
using Alb.Core.Translation;
using Alb.Observability;
using Alb.Pipeline;
using Alb.Proxy;
using Alb.Tests.Serving;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Prometheus;
using Xunit;
using Yarp.ReverseProxy.Forwarder;

namespace Alb.Tests.Proxy;

/// <summary>
/// The first table's hash is made later, on a thread of its own at the process's priority; nothing a later publish
/// does waits for it, and its value never replaces a newer table's.
/// </summary>
public sealed class ConfigPublisherTests
{
    [Fact]
    public async Task A_change_is_published_and_hashed_at_once_while_the_first_tables_hash_waits_its_turn()
    {
        var time = new FakeTimeProvider();
        var (publisher, registry, upstream) = Publisher(time);
        using var disposeUpstream = upstream;

        var first = Translate("a.example.com");
        Assert.Equal(PublishOutcome.Applied, publisher.Publish(first));
        Assert.True(publisher.Ready);
        Assert.False(publisher.FirstHash.IsCompleted);
        Assert.Equal(0, await HashAsync(registry)); // not made yet: it waits for ConfigPublisher.FirstHashDelay

        // The waiting thread runs at the process's priority: at a lower one a busy machine starved it, and a later
        // publish waited behind it for seconds.
        // (The other test's thread may not have exited yet: every one of that name is checked.)
        var waiting = Directory.EnumerateDirectories("/proc/self/task").Where(t => File.ReadAllText(Path.Combine(t, "comm")).Trim() == "alb first hash").ToList();
        Assert.NotEmpty(waiting);
        Assert.All(waiting, t => Assert.Equal(RebuildThreadTests.NiceOf(File.ReadAllText("/proc/self/stat")), RebuildThreadTests.NiceOf(File.ReadAllText(Path.Combine(t, "stat")))));

        var second = Translate("b.example.com");
        Assert.Equal(PublishOutcome.Applied, publisher.Publish(second));
        var secondHash = new ConfigHash().Of(second.Table);
        Assert.Equal(secondHash, await HashAsync(registry));

        time.Advance(ConfigPublisher.FirstHashDelay);
        await publisher.FirstHash.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.NotEqual(new ConfigHash().Of(first.Table), secondHash);
        Assert.Equal(secondHash, await HashAsync(registry)); // the older table's hash, made last, does not replace it
    }

    [Fact]
    public async Task The_first_tables_hash_is_reported_once_its_delay_has_passed()
    {
        var time = new FakeTimeProvider();
        var (publisher, registry, upstream) = Publisher(time);
        using var disposeUpstream = upstream;

        var first = Translate("a.example.com");
        publisher.Publish(first);
        time.Advance(ConfigPublisher.FirstHashDelay - TimeSpan.FromMilliseconds(1));
        Assert.False(publisher.FirstHash.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await publisher.FirstHash.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(new ConfigHash().Of(first.Table), await HashAsync(registry));
        Assert.Equal(PublishOutcome.Unchanged, publisher.Publish(Translate("a.example.com")));
    }

    private static (ConfigPublisher Publisher, CollectorRegistry Registry, UpstreamClient Upstream) Publisher(FakeTimeProvider time)
    {
        var registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(registry);
        var upstream = new UpstreamClient(new GlobalSettings(), time);
        return (new ConfigPublisher(new RequestMetrics(factory), new AlbMetrics(factory), time, new NoForwarder(), upstream, new ServePorts(0), NullLogger<ConfigPublisher>.Instance), registry, upstream);
    }

    private static async Task<double> HashAsync(CollectorRegistry registry)
    {
        using var text = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(text);
        const string prefix = "nginx_ingress_controller_config_hash ";
        var line = System.Text.Encoding.UTF8.GetString(text.ToArray()).Split('\n').SingleOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[prefix.Length..], CultureInfo.InvariantCulture);
    }

    private static TranslationResult Translate(string host)
    {
        var objects = new IKubernetesObject<V1ObjectMeta>[]
        {
            new V1Service { Metadata = new() { Name = "web", NamespaceProperty = "default" }, Spec = new() { Ports = [new() { Port = 80 }] } },
            new V1Ingress
            {
                Metadata = new() { Name = "app", NamespaceProperty = "default" },
                Spec = new()
                {
                    IngressClassName = "alb",
                    Rules = [new() { Host = host, Http = new() { Paths = [new() { Path = "/", PathType = "Prefix", Backend = new() { Service = new() { Name = "web", Port = new() { Number = 80 } } } }] } }],
                },
            },
        };
        return Translator.Translate(SnapshotBuilder.Build(objects).Snapshot, new TranslationOptions());
    }

    /// <summary>The publisher only hands the forwarder to the pipelines it compiles; no request is sent here.</summary>
    internal sealed class NoForwarder : IHttpForwarder
    {
        public ValueTask<ForwarderError> SendAsync(HttpContext context, string destinationPrefix, HttpMessageInvoker httpClient, ForwarderRequestConfig requestConfig, HttpTransformer transformer) =>
            throw new NotSupportedException();
    }
}
