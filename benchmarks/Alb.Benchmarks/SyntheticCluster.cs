using System.Globalization;
using Alb.Core.Manifests;
using Alb.Core.Snapshot;
using k8s.Models;

namespace Alb.Benchmarks;

/// <summary>
/// A synthetic cluster: N Ingresses over N/10 hosts, 2 paths each, Services with 3 endpoints. With
/// <c>annotated</c>, every Ingress also carries the mix of benchmarks/load/compare.py's annotated table: CORS with an
/// origin list, a source allow list and limit-rps on all; with <c>regexHosts</c> also use-regex + rewrite-target on the
/// even hosts (whose paths then are regexes: <c>/appK(/|$)(.*)</c>, rewritten to <c>/$2</c>).
/// </summary>
public static class SyntheticCluster
{
    private const string Prefix = "nginx.ingress.kubernetes.io/";

    public static ClusterSnapshot Create(int ingresses, bool annotated = false, bool regexHosts = true)
    {
        var objects = new List<k8s.IKubernetesObject<V1ObjectMeta>>();
        var services = Math.Max(1, ingresses / 5);
        for (var s = 0; s < services; s++)
        {
            var name = "svc-" + s.ToString(CultureInfo.InvariantCulture);
            objects.Add(new V1Service
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "bench" },
                Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Name = "http", Port = 80 }] },
            });
            objects.Add(new V1EndpointSlice
            {
                Metadata = new V1ObjectMeta { Name = name + "-1", NamespaceProperty = "bench", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = name } },
                AddressType = "IPv4",
                Ports = [new Discoveryv1EndpointPort { Name = "http", Port = 8080 }],
                Endpoints = [.. Enumerable.Range(1, 3).Select(e => new V1Endpoint { Addresses = [$"10.{s % 250}.{s / 250}.{e}"] })],
            });
        }

        for (var i = 0; i < ingresses; i++)
        {
            var host = $"host{(i / 10).ToString(CultureInfo.InvariantCulture)}.example.com";
            var regex = annotated && regexHosts && (i / 10) % 2 == 0;
            objects.Add(new V1Ingress
            {
                Metadata = new V1ObjectMeta
                {
                    Name = "ing-" + i.ToString(CultureInfo.InvariantCulture),
                    NamespaceProperty = "bench",
                    CreationTimestamp = new DateTime(2024, 1, 1).AddSeconds(i),
                    Annotations = annotated ? Annotations(regex) : null,
                },
                Spec = new V1IngressSpec
                {
                    IngressClassName = "alb",
                    Rules =
                    [
                        new V1IngressRule
                        {
                            Host = host,
                            Http = new V1HTTPIngressRuleValue
                            {
                                Paths =
                                [
                                    regex ? Path($"/app{i % 10}(/|$)(.*)", "ImplementationSpecific", $"svc-{i % services}") : Path($"/app{i % 10}", "Prefix", $"svc-{i % services}"),
                                    Path($"/app{i % 10}/health", "Exact", $"svc-{i % services}"),
                                ],
                            },
                        },
                    ],
                },
            });
        }

        return SnapshotBuilder.Build([.. objects]).Snapshot;
    }

    private static Dictionary<string, string> Annotations(bool regex)
    {
        var annotations = new Dictionary<string, string>
        {
            [Prefix + "enable-cors"] = "true",
            [Prefix + "cors-allow-origin"] = "https://app.example.com, https://admin.example.com, https://*.bench.example.com",
            [Prefix + "allowlist-source-range"] = "10.0.0.0/8, 127.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16",
            [Prefix + "limit-rps"] = "1000000",
        };
        if (regex)
        {
            annotations[Prefix + "use-regex"] = "true";
            annotations[Prefix + "rewrite-target"] = "/$2";
        }

        return annotations;
    }

    private static V1HTTPIngressPath Path(string path, string type, string service) => new()
    {
        Path = path,
        PathType = type,
        Backend = new V1IngressBackend { Service = new V1IngressServiceBackend { Name = service, Port = new V1ServiceBackendPort { Number = 80 } } },
    };
}
