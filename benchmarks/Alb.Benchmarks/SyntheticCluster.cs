using System.Globalization;
using Alb.Core.Manifests;
using Alb.Core.Snapshot;
using k8s.Models;

namespace Alb.Benchmarks;

/// <summary>A synthetic cluster: N Ingresses over N/10 hosts, 2 paths each, Services with 3 endpoints.</summary>
public static class SyntheticCluster
{
    public static ClusterSnapshot Create(int ingresses)
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
            objects.Add(new V1Ingress
            {
                Metadata = new V1ObjectMeta { Name = "ing-" + i.ToString(CultureInfo.InvariantCulture), NamespaceProperty = "bench", CreationTimestamp = new DateTime(2024, 1, 1).AddSeconds(i) },
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
                                    Path($"/app{i % 10}", "Prefix", $"svc-{i % services}"),
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

    private static V1HTTPIngressPath Path(string path, string type, string service) => new()
    {
        Path = path,
        PathType = type,
        Backend = new V1IngressBackend { Service = new V1IngressServiceBackend { Name = service, Port = new V1ServiceBackendPort { Number = 80 } } },
    };
}
