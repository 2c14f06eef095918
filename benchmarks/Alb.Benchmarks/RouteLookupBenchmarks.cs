using Alb.Core.Routing;
using Alb.Core.Translation;
using BenchmarkDotNet.Attributes;

namespace Alb.Benchmarks;

/// <summary>Route lookup in a table of 10,000 Ingresses (20,000 routes over 1,000 hosts).</summary>
[MemoryDiagnoser]
public class RouteLookupBenchmarks
{
    private RouteMatcher _matcher = null!;

    [GlobalSetup]
    public void Setup() => _matcher = new RouteMatcher(Translator.Translate(SyntheticCluster.Create(10_000), new TranslationOptions()).Table);

    [Benchmark]
    public Route? ExactHostPrefixPath() => _matcher.Match("host517.example.com", "/app7/items/42").Route;

    [Benchmark]
    public Route? ExactPath() => _matcher.Match("host517.example.com:443", "/app7/health").Route;

    [Benchmark]
    public Route? UnknownHost() => _matcher.Match("nowhere.example.org", "/x").Route;
}
