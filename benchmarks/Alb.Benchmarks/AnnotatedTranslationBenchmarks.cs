using Alb.Core.Routing;
using Alb.Core.Snapshot;
using Alb.Core.Translation;
using BenchmarkDotNet.Attributes;

namespace Alb.Benchmarks;

/// <summary>
/// Translation of annotated Ingresses (issue 12; target: 10,000 in under 1 s): CORS with an origin list, a source
/// allow list and limit-rps on every Ingress, use-regex + rewrite-target on half the hosts (see <see cref="SyntheticCluster"/>).
/// <c>RegexHosts=False</c> leaves out use-regex and rewrite-target, to tell the regex paths' share from the rest.
/// </summary>
[MemoryDiagnoser]
public class AnnotatedTranslationBenchmarks
{
    private ClusterSnapshot _snapshot = null!;

    [Params(1_000, 10_000)]
    public int Ingresses { get; set; }

    [Params(true, false)]
    public bool RegexHosts { get; set; }

    [GlobalSetup]
    public void Setup() => _snapshot = SyntheticCluster.Create(Ingresses, annotated: true, RegexHosts);

    [Benchmark]
    public RouteTable TranslateAnnotated() => Translator.Translate(_snapshot, new TranslationOptions()).Table;

    [Benchmark]
    public RouteMatcher TranslateAndCompileAnnotated() => new(Translator.Translate(_snapshot, new TranslationOptions()).Table);
}
