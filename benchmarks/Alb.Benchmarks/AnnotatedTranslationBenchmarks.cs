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
    private TranslationCache _cache = null!;

    [Params(1_000, 10_000)]
    public int Ingresses { get; set; }

    [Params(true, false)]
    public bool RegexHosts { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _snapshot = SyntheticCluster.Create(Ingresses, annotated: true, RegexHosts);
        _cache = new TranslationCache();
        Translator.Translate(_snapshot, new TranslationOptions(), _cache);
    }

    [Benchmark]
    public RouteTable TranslateAnnotated() => Translator.Translate(_snapshot, new TranslationOptions()).Table;

    /// <summary>What a change costs in a source that keeps its cache: every Ingress's annotations reused (issue 15: each
    /// change's allocations end up as garbage the GC promotes, so the RSS after 100 changes follows this figure).</summary>
    [Benchmark]
    public RouteTable RetranslateCached() => Translator.Translate(_snapshot, new TranslationOptions(), _cache).Table;

    [Benchmark]
    public RouteMatcher TranslateAndCompileAnnotated() => new(Translator.Translate(_snapshot, new TranslationOptions()).Table);
}
