using AlbOperator.Core.Desired;
using AlbOperator.Core.Model;
using Edge.Testing;
using k8s;

namespace AlbOperator.Core.Tests.Desired;

public class DesiredHashTests
{
    [Fact]
    public void Every_object_carries_its_hash()
    {
        foreach (var o in TestAlbs.Desired(TestAlbs.HostNetworkVip).Objects)
        {
            Assert.Equal(o.Hash, o.Object.Metadata.Annotations[AlbApi.DesiredHashAnnotation]);
            Assert.Matches("^[0-9a-f]{16}$", o.Hash);
        }
    }

    [Fact]
    public void The_same_alb_hashes_the_same()
    {
        Assert.Equal(TestAlbs.Desired(TestAlbs.HostNetworkVip).Hash, TestAlbs.Desired(TestAlbs.HostNetworkVip).Hash);
    }

    [Fact]
    public void Map_order_does_not_change_the_hash()
    {
        AlbSpec Spec(params string[] keys) => new()
        {
            Config = keys.ToDictionary(k => k, k => k + "-value"),
            NodeSelector = keys.ToDictionary(k => "example.com/" + k, _ => "true"),
            Service = new AlbServiceSpec { Annotations = keys.ToDictionary(k => "example.com/" + k, _ => "1") },
        };

        Assert.Equal(TestAlbs.Desired(Spec("a", "b", "c")).Hash, TestAlbs.Desired(Spec("c", "a", "b")).Hash);
    }

    [Fact]
    public void A_changed_spec_changes_the_hash_of_what_it_touches()
    {
        var before = TestAlbs.Desired(TestAlbs.HostNetworkVip);
        var after = TestAlbs.Desired(TestAlbs.HostNetworkVip with { Replicas = 4 });

        Assert.NotEqual(before.Hash, after.Hash);
        var changed = before.Objects.Zip(after.Objects).Where(p => p.First.Hash != p.Second.Hash).Select(p => p.First.Kind);
        Assert.Equal(["Deployment"], changed);
    }

    [Theory]
    [InlineData("config")]
    [InlineData("class")]
    [InlineData("interval")]
    [InlineData("image")]
    [InlineData("toleration")]
    public void Every_part_of_the_spec_reaches_the_hash(string part)
    {
        var spec = TestAlbs.HostNetworkVip;
        var changed = part switch
        {
            "config" => spec with { Config = new Dictionary<string, string> { ["ssl-redirect"] = "false" } },
            "class" => spec with { IngressClass = new AlbIngressClassSpec { Default = true } },
            "interval" => spec with { Vip = spec.Vip! with { AdvertInterval = "200ms" } },
            "image" => spec with { Image = "reg/alb:2" },
            _ => spec with { Tolerations = [] },
        };

        Assert.NotEqual(TestAlbs.Desired(spec).Hash, TestAlbs.Desired(changed).Hash);
    }

    [Fact]
    public void The_desired_objects_and_their_hashes_are_pinned()
    {
        // Pins the objects (and their hashes) across runs and machines: a change here is a rollout of every alb.
        var directory = Golden.SourceDirectory("testassets");
        foreach (var (name, spec) in new[] { ("desired-default.yaml", new AlbSpec()), ("desired-host-network-vip.yaml", TestAlbs.HostNetworkVip) })
        {
            var desired = TestAlbs.Desired(spec);
            var text = $"# hash: {desired.Hash}\n" + string.Join("\n---\n", desired.Objects.Select(o => KubernetesYaml.Serialize(o.Object).ReplaceLineEndings("\n").TrimEnd('\n')));
            Golden.AssertMatches(Path.Combine(directory, name), text);
        }
    }
}
