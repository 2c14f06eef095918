using k8s;
using k8s.Models;

namespace Alb.Core.Manifests;

/// <summary>
/// Builds the KubernetesClient model objects alb reads from a parsed YAML (or JSON) mapping, field by field, with the
/// API's types: an integer field holding text, a mapping where a list belongs, bad base64 are errors naming the field.
/// Fields alb never reads (status, managedFields, ...) are skipped. This replaces KubernetesClient's reflection-based
/// YAML deserializer, whose code and type tables held ~30 MiB of an idle alb (measured: 66 MiB vs 36 MiB for the
/// parse tree alone, in a process that loads the same six kinds).
/// </summary>
internal static class ObjectReader
{
    /// <summary>The kinds alb reads: the one apiVersion of each, and how its fields are read.</summary>
    private static readonly Dictionary<string, (string ApiVersion, Func<YamlFields, IKubernetesObject<V1ObjectMeta>> Read)> Kinds = new(StringComparer.Ordinal)
    {
        ["Ingress"] = ("networking.k8s.io/v1", Ingress),
        ["IngressClass"] = ("networking.k8s.io/v1", IngressClass),
        ["Service"] = ("v1", Service),
        ["EndpointSlice"] = ("discovery.k8s.io/v1", EndpointSlice),
        ["Secret"] = ("v1", Secret),
        ["ConfigMap"] = ("v1", ConfigMap),
    };

    /// <summary>The object, or null when alb does not read this kind at this apiVersion.</summary>
    public static IKubernetesObject<V1ObjectMeta>? Read(string apiVersion, string kind, YamlFields o) =>
        Kinds.TryGetValue(kind, out var known) && known.ApiVersion == apiVersion ? known.Read(o) : null;

    /// <summary>The apiVersion alb reads for a kind, or null when alb does not read the kind.</summary>
    public static string? SupportedApiVersion(string kind) => Kinds.TryGetValue(kind, out var known) ? known.ApiVersion : null;

    private static V1Ingress Ingress(YamlFields o)
    {
        var spec = o.Map("spec");
        return new V1Ingress
        {
            ApiVersion = "networking.k8s.io/v1",
            Kind = "Ingress",
            Metadata = Metadata(o),
            Spec = spec is not { } s ? null : new V1IngressSpec
            {
                IngressClassName = s.String("ingressClassName"),
                DefaultBackend = s.Map("defaultBackend") is { } b ? Backend(b) : null,
                Rules = s.Maps("rules")?.Select(rule => new V1IngressRule
                {
                    Host = rule.String("host"),
                    Http = rule.Map("http") is not { } http ? null : new V1HTTPIngressRuleValue
                    {
                        Paths = http.Maps("paths")?.Select(path => new V1HTTPIngressPath
                        {
                            Path = path.String("path"),
                            PathType = path.String("pathType"),
                            Backend = path.Map("backend") is { } b ? Backend(b) : null,
                        }).ToList(),
                    },
                }).ToList(),
                Tls = s.Maps("tls")?.Select(tls => new V1IngressTLS { Hosts = tls.Strings("hosts"), SecretName = tls.String("secretName") }).ToList(),
            },
        };
    }

    private static V1IngressBackend Backend(YamlFields b) => new()
    {
        Service = b.Map("service") is not { } service ? null : new V1IngressServiceBackend
        {
            Name = service.String("name"),
            Port = service.Map("port") is not { } port ? null : new V1ServiceBackendPort { Name = port.String("name"), Number = port.Int("number") },
        },
        Resource = b.Map("resource") is not { } r ? null : new V1TypedLocalObjectReference
        {
            ApiGroup = r.String("apiGroup"),
            Kind = r.String("kind"),
            Name = r.String("name"),
        },
    };

    private static V1IngressClass IngressClass(YamlFields o) => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "IngressClass",
        Metadata = Metadata(o),
        Spec = o.Map("spec") is not { } spec ? null : new V1IngressClassSpec { Controller = spec.String("controller") },
    };

    private static V1Service Service(YamlFields o) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = Metadata(o),
        Spec = o.Map("spec") is not { } spec ? null : new V1ServiceSpec
        {
            Type = spec.String("type"),
            ExternalName = spec.String("externalName"),
            ClusterIP = spec.String("clusterIP"),
            Selector = spec.StringMap("selector"),
            Ports = spec.Maps("ports")?.Select(p => new V1ServicePort
            {
                Name = p.String("name"),
                Port = p.Int("port") ?? 0,
                TargetPort = p.IntOrString("targetPort"),
                Protocol = p.String("protocol"),
                AppProtocol = p.String("appProtocol"),
                NodePort = p.Int("nodePort"),
            }).ToList(),
        },
    };

    private static V1EndpointSlice EndpointSlice(YamlFields o) => new()
    {
        ApiVersion = "discovery.k8s.io/v1",
        Kind = "EndpointSlice",
        Metadata = Metadata(o),
        AddressType = o.String("addressType"),
        Ports = o.Maps("ports")?.Select(p => new Discoveryv1EndpointPort
        {
            Name = p.String("name"),
            Port = p.Int("port"),
            Protocol = p.String("protocol"),
            AppProtocol = p.String("appProtocol"),
        }).ToList(),
        Endpoints = o.Maps("endpoints")?.Select(e => new V1Endpoint
        {
            Addresses = e.Strings("addresses"),
            Conditions = e.Map("conditions") is not { } c ? null : new V1EndpointConditions
            {
                Ready = c.Bool("ready"),
                Serving = c.Bool("serving"),
                Terminating = c.Bool("terminating"),
            },
            Hostname = e.String("hostname"),
            NodeName = e.String("nodeName"),
            Zone = e.String("zone"),
        }).ToList(),
    };

    private static V1Secret Secret(YamlFields o) => new()
    {
        ApiVersion = "v1",
        Kind = "Secret",
        Metadata = Metadata(o),
        Type = o.String("type"),
        Data = o.Base64Map("data"),
        StringData = o.StringMap("stringData"),
        Immutable = o.Bool("immutable"),
    };

    private static V1ConfigMap ConfigMap(YamlFields o) => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = Metadata(o),
        Data = o.StringMap("data"),
    };

    private static V1ObjectMeta? Metadata(YamlFields o) => o.Map("metadata") is not { } m ? null : new V1ObjectMeta
    {
        Name = m.String("name"),
        NamespaceProperty = m.String("namespace"),
        Labels = m.StringMap("labels"),
        Annotations = m.StringMap("annotations"),
        CreationTimestamp = m.Time("creationTimestamp"),
        Uid = m.String("uid"),
        ResourceVersion = m.String("resourceVersion"),
        Generation = m.Long("generation"),
    };
}
