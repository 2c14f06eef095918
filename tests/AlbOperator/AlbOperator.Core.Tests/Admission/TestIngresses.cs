using Alb.Core.Translation;
using AlbOperator.Core.Admission;
using k8s.Models;

namespace AlbOperator.Core.Tests.Admission;

/// <summary>Ingresses, classes and Albs for the admission tests: Alb edge/web serves class "web".</summary>
internal static class TestIngresses
{
    public const string Nginx = "nginx.ingress.kubernetes.io/";
    public const string Controller = "edge.io/alb/edge/web";

    public static readonly DateTime Old = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static TranslationOptions Web { get; } = new() { IngressClass = "web", ControllerClass = Controller };

    public static V1IngressClass Class(string name, string controller, bool isDefault = false) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Annotations = isDefault ? new Dictionary<string, string> { [IngressClassFilter.DefaultClassAnnotation] = "true" } : null,
        },
        Spec = new V1IngressClassSpec { Controller = controller },
    };

    public static V1IngressClass[] Classes { get; } = [Class("web", Controller), Class("nginx", "k8s.io/ingress-nginx")];

    /// <summary>One rule, one path to Service <c>app:80</c>; <paramref name="created"/> null: no timestamp (a new object).</summary>
    public static V1Ingress Ingress(
        string name,
        string host = "app.example.com",
        string path = "/",
        string pathType = "Prefix",
        string? className = "web",
        IDictionary<string, string>? annotations = null,
        DateTime? created = null,
        string ns = "default") => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "Ingress",
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = ns,
            CreationTimestamp = created,
            Annotations = annotations is null ? null : new Dictionary<string, string>(annotations),
        },
        Spec = new V1IngressSpec
        {
            IngressClassName = className,
            Rules = [Rule(host, (path, pathType))],
        },
    };

    public static V1IngressRule Rule(string host, params (string Path, string Type)[] paths) => new()
    {
        Host = host,
        Http = new V1HTTPIngressRuleValue
        {
            Paths = [.. paths.Select(p => new V1HTTPIngressPath { Path = p.Path, PathType = p.Type, Backend = Backend("app") })],
        },
    };

    public static V1IngressBackend Backend(string service) =>
        new() { Service = new V1IngressServiceBackend { Name = service, Port = new V1ServiceBackendPort { Number = 80 } } };

    public static Dictionary<string, string> Annotations(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key.Contains('/', StringComparison.Ordinal) ? p.Key : Nginx + p.Key, p => p.Value);

    /// <summary>An admission for Alb web, given the cluster's other Ingresses.</summary>
    public static IngressAdmission Webhook(params V1Ingress[] cluster)
    {
        var admission = new IngressAdmission([Web]);
        admission.Update(cluster, Classes);
        return admission;
    }
}
