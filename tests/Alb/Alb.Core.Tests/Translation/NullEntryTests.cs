using Alb.Core.Snapshot;
using Alb.Core.Translation;
using k8s.Models;
using Xunit;

namespace Alb.Core.Tests.Translation;

/// <summary>An Ingress object with a null list entry (a client object can carry one) is refused with a diagnostic; translation never throws.</summary>
public sealed class NullEntryTests
{
    private static V1Ingress Ingress(string name, IList<V1IngressRule> rules, IList<V1IngressTLS>? tls = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", CreationTimestamp = DateTime.UnixEpoch },
        Spec = new V1IngressSpec { IngressClassName = "alb", Rules = rules, Tls = tls },
    };

    private static V1IngressRule Rule(string host, params V1HTTPIngressPath?[] paths) =>
        new() { Host = host, Http = new V1HTTPIngressRuleValue { Paths = paths! } };

    private static V1HTTPIngressPath Path(string path) =>
        new() { Path = path, PathType = "Prefix", Backend = new V1IngressBackend { Service = new V1IngressServiceBackend { Name = "web", Port = new V1ServiceBackendPort { Number = 80 } } } };

    [Theory]
    [InlineData("rule", "spec.rules[0]")]
    [InlineData("path", "spec.rules[0].http.paths[1]")]
    [InlineData("tls", "spec.tls[0]")]
    [InlineData("tls host", "spec.tls[0].hosts[1]")]
    public void Refuses_the_ingress_and_names_the_entry(string where, string field)
    {
        var broken = where switch
        {
            "rule" => Ingress("broken", [null!, Rule("b.example.com", Path("/"))]),
            "path" => Ingress("broken", [Rule("b.example.com", Path("/"), null)]),
            "tls" => Ingress("broken", [Rule("b.example.com", Path("/"))], [null!]),
            _ => Ingress("broken", [Rule("b.example.com", Path("/"))], [new V1IngressTLS { Hosts = ["b.example.com", null!] }]),
        };
        var result = Translator.Translate(new ClusterSnapshot([broken, Ingress("fine", [Rule("a.example.com", Path("/"))])], [], [], [], [], []), new TranslationOptions());
        var refused = Assert.Single(result.Diagnostics, d => d.Object == "Ingress default/broken" && d.Code == "ALB1605");
        Assert.Equal(field, refused.Field);
        Assert.Contains(result.Table.Hosts, h => h.Host == "a.example.com");
        Assert.DoesNotContain(result.Table.Hosts, h => h.Host == "b.example.com");
    }
}
