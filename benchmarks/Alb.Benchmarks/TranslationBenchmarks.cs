using Alb.Core.Routing;
using Alb.Core.Snapshot;
using Alb.Core.Translation;
using BenchmarkDotNet.Attributes;

namespace Alb.Benchmarks;

/// <summary>The pure translation and the matcher compile, on 1,000 and 10,000 Ingresses.</summary>
[MemoryDiagnoser]
public class TranslationBenchmarks
{
    private ClusterSnapshot _snapshot = null!;

    [Params(1_000, 10_000)]
    public int Ingresses { get; set; }

    [GlobalSetup]
    public void Setup() => _snapshot = SyntheticCluster.Create(Ingresses);

    [Benchmark]
    public RouteTable Translate() => Translator.Translate(_snapshot, new TranslationOptions()).Table;

    [Benchmark]
    public RouteMatcher TranslateAndCompile() => new(Translator.Translate(_snapshot, new TranslationOptions()).Table);
}
