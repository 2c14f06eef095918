using System.Collections.Immutable;
using Alb.Core.Diagnostics;
using Alb.Sources;
using Edge.Kubernetes;
using Edge.Testing.KubeApi;
using k8s.Models;
using Xunit;
using static Alb.Tests.Cluster.ClusterObjects;

namespace Alb.Tests.Cluster;

/// <summary>Ingress diagnostics as Events: only Ingresses', once each, at most 25 a round, again when one returns.</summary>
public sealed class EventPosterTests : IAsyncLifetime
{
    private TestApiServer _api = null!;

    public async Task InitializeAsync() => _api = await TestApiServer.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private int Events() => _api.Objects.List("v1", "Event", "default").Count;

    [Fact]
    public async Task Posts_each_warning_once_in_bounded_rounds_and_again_after_it_was_fixed()
    {
        var ingresses = Enumerable.Range(0, 30).Select(i => _api.Objects.Create(Ingress($"i{i}", $"h{i}.example.com", "web"))).ToDictionary(i => i.Metadata.Name);
        var diagnostics = ingresses.Keys.Select(n => new Diagnostic("ALB2903", Severity.Error, $"Ingress default/{n}", "metadata.annotations[x]", "bad"))
            .Append(new Diagnostic("ALB1001", Severity.Error, "file a.yaml", null, "not an Ingress"))
            .Append(new Diagnostic("ALB1700", Severity.Info, "Ingress default/i0", null, "just so you know"))
            .ToImmutableArray();
        var poster = new EventPoster(new KubeApi(_api.CreateClient()), "alb-0", TimeProvider.System);
        V1Ingress? Find(string ns, string name) => ingresses.GetValueOrDefault(name);

        await poster.PostAsync(diagnostics, Find, default);
        Assert.Equal(EventPoster.Burst, Events());
        await poster.PostAsync(diagnostics, Find, default);
        Assert.Equal(30, Events()); // the rest, and nothing twice
        await poster.PostAsync(diagnostics, Find, default);
        Assert.Equal(30, Events());

        var evt = k8s.KubernetesJson.Deserialize<Corev1Event>(_api.Objects.List("v1", "Event", "default")[0].ToJsonString());
        Assert.Equal("ALB2903", evt.Reason);
        Assert.Equal("metadata.annotations[x]: bad", evt.Message);
        Assert.Equal(ingresses[evt.InvolvedObject.Name].Metadata.Uid, evt.InvolvedObject.Uid);

        await poster.PostAsync([.. diagnostics.Where(d => d.Object != "Ingress default/i7")], Find, default); // i7 fixed
        await poster.PostAsync(diagnostics, Find, default); // and broken again
        Assert.Equal(31, Events());
    }
}
