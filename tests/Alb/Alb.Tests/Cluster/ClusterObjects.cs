using k8s.Models;

namespace Alb.Tests.Cluster;

/// <summary>The objects an Ingress needs, as a cluster holds them: a Service, its EndpointSlice, the Ingress, a Namespace, a ConfigMap.</summary>
internal static class ClusterObjects
{
    public static V1Service Service(string name, string ns = "default") => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Name = "http", Port = 80 }] },
    };

    public static V1EndpointSlice Slice(string service, int port, string ns = "default") => new()
    {
        ApiVersion = "discovery.k8s.io/v1",
        Kind = "EndpointSlice",
        Metadata = new V1ObjectMeta { Name = service + "-1", NamespaceProperty = ns, Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = service } },
        AddressType = "IPv4",
        Ports = [new Discoveryv1EndpointPort { Name = "http", Port = port }],
        Endpoints = [new V1Endpoint { Addresses = ["127.0.0.1"], Conditions = new V1EndpointConditions { Ready = true } }],
    };

    public static V1Ingress Ingress(string name, string host, string service, string? className = "alb", string ns = "default", Dictionary<string, string>? annotations = null) => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "Ingress",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Annotations = annotations },
        Spec = new V1IngressSpec
        {
            IngressClassName = className,
            Rules =
            [
                new V1IngressRule
                {
                    Host = host,
                    Http = new V1HTTPIngressRuleValue
                    {
                        Paths = [new V1HTTPIngressPath { Path = "/", PathType = "Prefix", Backend = new V1IngressBackend { Service = new V1IngressServiceBackend { Name = service, Port = new V1ServiceBackendPort { Number = 80 } } } }],
                    },
                },
            ],
        },
    };

    public static V1Namespace Namespace(string name) => new() { ApiVersion = "v1", Kind = "Namespace", Metadata = new V1ObjectMeta { Name = name } };

    public static V1ConfigMap ConfigMap(string name, string ns, params (string Key, string Value)[] data) => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Data = data.ToDictionary(d => d.Key, d => d.Value),
    };
}
