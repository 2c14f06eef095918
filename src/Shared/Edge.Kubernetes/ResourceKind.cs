using System.Text;

namespace Edge.Kubernetes;

/// <summary>
/// One API resource: where it lives (<c>/api/v1</c> or <c>/apis/GROUP/VERSION</c>), its plural, its kind, and whether
/// it is namespaced. Paths are built here and nowhere else.
/// </summary>
public sealed record ResourceKind(string Group, string Version, string Plural, string Kind, bool Namespaced)
{
    public static readonly ResourceKind Ingresses = new("networking.k8s.io", "v1", "ingresses", "Ingress", true);
    public static readonly ResourceKind IngressClasses = new("networking.k8s.io", "v1", "ingressclasses", "IngressClass", false);
    public static readonly ResourceKind Services = new("", "v1", "services", "Service", true);
    public static readonly ResourceKind EndpointSlices = new("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", true);
    public static readonly ResourceKind Secrets = new("", "v1", "secrets", "Secret", true);
    public static readonly ResourceKind ConfigMaps = new("", "v1", "configmaps", "ConfigMap", true);
    public static readonly ResourceKind Pods = new("", "v1", "pods", "Pod", true);
    public static readonly ResourceKind Nodes = new("", "v1", "nodes", "Node", false);
    public static readonly ResourceKind Events = new("", "v1", "events", "Event", true);
    public static readonly ResourceKind Leases = new("coordination.k8s.io", "v1", "leases", "Lease", true);

    /// <summary><c>v1</c> or <c>group/version</c>.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The path of the collection (all namespaces when <paramref name="ns"/> is null), an object, or its subresource.</summary>
    public string Path(string? ns, string? name = null, string? subresource = null)
    {
        var path = new StringBuilder(Group.Length == 0 ? "/api/v1" : $"/apis/{Group}/{Version}");
        if (Namespaced && ns is not null)
        {
            path.Append("/namespaces/").Append(Uri.EscapeDataString(ns));
        }

        path.Append('/').Append(Plural);
        if (name is not null)
        {
            path.Append('/').Append(Uri.EscapeDataString(name));
            if (subresource is not null)
            {
                path.Append('/').Append(subresource);
            }
        }

        return path.ToString();
    }

    public override string ToString() => Group.Length == 0 ? Plural : $"{Plural}.{Group}";
}
