using AlbOperator.Core.Model;

namespace AlbOperator.Core.Desired;

/// <summary>
/// The names of everything made for Alb <c>NAMESPACE/NAME</c>. Namespaced objects are named after the Alb; the
/// cluster-scoped RBAC objects are <c>edge.io:alb:NAMESPACE:NAME</c>: neither part can contain ':', so two Albs
/// never share one (<c>a-b/c</c> and <c>a/b-c</c> would collide in <c>alb-a-b-c</c>).
/// </summary>
public sealed record AlbNames(string Namespace, string Name)
{
    public static AlbNames Of(AlbResource alb) => new(alb.Metadata.NamespaceProperty ?? "", alb.Metadata.Name ?? "");

    public string Deployment => Name;

    public string Service => Name;

    public string ServiceAccount => Name;

    public string Role => Name;

    public string RoleBinding => Name;

    public string PodDisruptionBudget => Name;

    public string ConfigMap => $"{Name}-config";

    /// <summary>The Lease alb's replicas elect their status writer with (<c>--election-id</c>).</summary>
    public string Lease => $"{Name}-leader";

    public string ClusterRole => $"edge.io:alb:{Namespace}:{Name}";

    public string ClusterRoleBinding => ClusterRole;

    public string VipdDaemonSet => $"{Name}-vipd";

    public string VipdConfigMap => $"{Name}-vipd";

    /// <summary>
    /// The IngressClass <c>spec.controller</c> of this Alb, passed to alb as <c>--controller-class</c>: one value per
    /// Alb, so two Albs never serve each other's classes.
    /// </summary>
    public string Controller => $"{AlbApi.ControllerPrefix}/{Namespace}/{Name}";

    public override string ToString() => $"{Namespace}/{Name}";
}
