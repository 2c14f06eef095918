using AlbOperator.Core.Model;
using k8s.Models;

namespace AlbOperator.Core.Desired;

/// <summary>The Service in front of alb, its ConfigMap, and the IngressClass it serves.</summary>
internal static class AlbNetwork
{
    public static V1ConfigMap ConfigMap(AlbResource alb, AlbNames names, AlbSpec spec) => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = AlbLabels.Meta(alb, names, names.ConfigMap, namespaced: true),
        Data = AlbLabels.Sorted(spec.Config),
    };

    public static V1Service Service(AlbResource alb, AlbNames names, AlbSpec spec)
    {
        var service = spec.Service!;
        return new V1Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = AlbLabels.Meta(alb, names, names.Service, namespaced: true, annotations: service.Annotations),
            Spec = new V1ServiceSpec
            {
                Type = service.Type,
                Selector = AlbLabels.Selector(names, AlbLabels.AlbComponent),
                ExternalTrafficPolicy = service.ExternalTrafficPolicy,
                Ports =
                [
                    new V1ServicePort { Name = "http", Port = 80, TargetPort = "http", Protocol = "TCP" },
                    new V1ServicePort { Name = "https", Port = 443, TargetPort = "https", Protocol = "TCP" },
                ],
            },
        };
    }

    public static V1IngressClass IngressClass(AlbResource alb, AlbNames names, AlbSpec spec)
    {
        var isDefault = spec.IngressClass!.Default == true;
        return new V1IngressClass
        {
            ApiVersion = "networking.k8s.io/v1",
            Kind = "IngressClass",
            Metadata = AlbLabels.Meta(alb, names, spec.IngressClass.Name!, namespaced: false,
                annotations: isDefault ? [new(AlbApi.DefaultClassAnnotation, "true")] : null),
            Spec = new V1IngressClassSpec
            {
                Controller = names.Controller,
                Parameters = new V1IngressClassParametersReference
                {
                    ApiGroup = AlbApi.Group,
                    Kind = AlbApi.Kind,
                    Name = names.Name,
                    NamespaceProperty = names.Namespace,
                    Scope = "Namespace",
                },
            },
        };
    }
}
