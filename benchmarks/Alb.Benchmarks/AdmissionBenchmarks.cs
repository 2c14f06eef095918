using System.Collections.Immutable;
using Alb.Core.Translation;
using AlbOperator.Core.Admission;
using BenchmarkDotNet.Attributes;
using k8s;
using k8s.Models;

namespace Alb.Benchmarks;

/// <summary>
/// alb-operator's Ingress admission webhook (target: an answer in &lt; 100 ms with 10,000 Ingresses in the cluster).
/// The cluster is <see cref="SyntheticCluster"/>'s annotated one: 10 Ingresses per host, 2 paths each, CORS, a source
/// allow list and limit-rps on every Ingress, use-regex + rewrite-target on every Ingress of the even hosts.
/// <c>Review*</c> judge one Ingress with the cluster in context; <c>Respond</c> is the whole request (JSON in,
/// review, JSON out); <c>Update</c> indexes the whole cluster (what the host does on every informer change).
/// <c>ReviewOneRegexHost</c> is the worst shape instead: all the Ingresses on one host, each with a rewrite-target (so
/// each one acts on the whole host); the index hands the translation at most 64 of them per bucket.
/// </summary>
[MemoryDiagnoser]
public class AdmissionBenchmarks
{
    private ImmutableArray<V1Ingress> _ingresses;
    private IngressAdmission _admission = null!;
    private V1Ingress _taken = null!;
    private V1Ingress _free = null!;
    private V1Ingress _regexHost = null!;
    private V1Ingress _snippet = null!;
    private string _request = null!;
    private IngressAdmission _oneHost = null!;
    private V1Ingress _oneHostTaken = null!;

    [Params(1_000, 10_000)]
    public int Ingresses { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _ingresses = SyntheticCluster.Create(Ingresses, annotated: true).Ingresses;
        _admission = new IngressAdmission([new TranslationOptions()]);
        _admission.Update(_ingresses, []);

        // Host 51 is plain (its Ingresses 510-519 serve /app0../app9); host 50 is in regex mode.
        var template = _ingresses[513];
        _taken = Candidate(template, "taken", "host51.example.com", "/app3");
        _free = Candidate(template, "free", "host51.example.com", "/new");
        _regexHost = Candidate(template, "regex", "host50.example.com", "/new");
        _snippet = Candidate(template, "snippet", "host51.example.com", "/new");
        _snippet.Metadata.Annotations["nginx.ingress.kubernetes.io/server-snippet"] = "return 200;";
        _snippet.Metadata.Annotations["nginx.ingress.kubernetes.io/limit-rps"] = "lots";

        _request =
            "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"b1\"," +
            "\"kind\":{\"group\":\"networking.k8s.io\",\"version\":\"v1\",\"kind\":\"Ingress\"}," +
            "\"resource\":{\"group\":\"networking.k8s.io\",\"version\":\"v1\",\"resource\":\"ingresses\"}," +
            "\"namespace\":\"bench\",\"name\":\"free\",\"operation\":\"CREATE\",\"userInfo\":{\"username\":\"admin\"}," +
            "\"object\":" + KubernetesJson.Serialize(_free) + ",\"oldObject\":null,\"dryRun\":false}}";
        var oneHost = Enumerable.Range(0, Ingresses).Select(i => OneHostIngress(template, i)).ToList();
        _oneHost = new IngressAdmission([new TranslationOptions()]);
        _oneHost.Update(oneHost, []);
        _oneHostTaken = Candidate(template, "one-host", "big.example.com", $"/svc{Ingresses / 2}");

        if (_oneHost.Review(_oneHostTaken, "CREATE").Allowed || _admission.Review(_taken, "CREATE").Allowed || !_admission.Review(_free, "CREATE").Allowed ||
            !_admission.Review(_regexHost, "CREATE").Allowed || _admission.Review(_snippet, "CREATE").Allowed)
        {
            throw new InvalidOperationException("the candidates are not judged as the benchmark expects");
        }
    }

    [Benchmark]
    public AdmissionDecision ReviewTakenPath() => _admission.Review(_taken, "CREATE");

    [Benchmark]
    public AdmissionDecision ReviewFreePath() => _admission.Review(_free, "CREATE");

    [Benchmark]
    public AdmissionDecision ReviewRegexHost() => _admission.Review(_regexHost, "CREATE");

    [Benchmark]
    public AdmissionDecision ReviewSnippet() => _admission.Review(_snippet, "CREATE");

    [Benchmark]
    public AdmissionDecision ReviewOneRegexHost() => _oneHost.Review(_oneHostTaken, "CREATE");

    [Benchmark]
    public string Respond() => AdmissionReviews.Respond(_request, _admission);

    [Benchmark]
    public IngressAdmission Update()
    {
        _admission.Update(_ingresses, []);
        return _admission;
    }

    private static V1Ingress OneHostIngress(V1Ingress template, int i)
    {
        var ingress = Candidate(template, $"big-{i}", "big.example.com", $"/svc{i}");
        ingress.Metadata.CreationTimestamp = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(i);
        ingress.Metadata.Annotations["nginx.ingress.kubernetes.io/rewrite-target"] = "/";
        return ingress;
    }

    private static V1Ingress Candidate(V1Ingress template, string name, string host, string path)
    {
        var rule = template.Spec.Rules[0];
        var source = rule.Http.Paths[0];
        return new V1Ingress
        {
            ApiVersion = "networking.k8s.io/v1",
            Kind = "Ingress",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "bench", Annotations = new Dictionary<string, string>(template.Metadata.Annotations) },
            Spec = new V1IngressSpec
            {
                IngressClassName = template.Spec.IngressClassName,
                Rules = [new V1IngressRule { Host = host, Http = new V1HTTPIngressRuleValue { Paths = [new V1HTTPIngressPath { Path = path, PathType = "Prefix", Backend = source.Backend }] } }],
            },
        };
    }
}
