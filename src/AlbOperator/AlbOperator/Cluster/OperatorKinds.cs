using AlbOperator.Core.Model;
using Edge.Kubernetes;

namespace AlbOperator.Cluster;

/// <summary>The API resources the operator reads and writes besides those <see cref="ResourceKind"/> names.</summary>
internal static class OperatorKinds
{
    public static readonly ResourceKind Albs = new(AlbApi.Group, AlbApi.Version, AlbApi.Plural, AlbApi.Kind, Namespaced: true);
    public static readonly ResourceKind ServiceAccounts = new("", "v1", "serviceaccounts", "ServiceAccount", true);
    public static readonly ResourceKind ClusterRoles = new("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false);
    public static readonly ResourceKind ClusterRoleBindings = new("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", false);
    public static readonly ResourceKind Roles = new("rbac.authorization.k8s.io", "v1", "roles", "Role", true);
    public static readonly ResourceKind RoleBindings = new("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true);
    public static readonly ResourceKind Deployments = new("apps", "v1", "deployments", "Deployment", true);
    public static readonly ResourceKind DaemonSets = new("apps", "v1", "daemonsets", "DaemonSet", true);
    public static readonly ResourceKind DisruptionBudgets = new("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", true);
    public static readonly ResourceKind WebhookConfigurations = new("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", "ValidatingWebhookConfiguration", false);

    /// <summary>Every kind <c>DesiredState.For</c> makes, in its apply order (IngressClasses are watched apart, all of them).</summary>
    public static readonly IReadOnlyList<ResourceKind> Owned =
    [
        ServiceAccounts, ClusterRoles, ClusterRoleBindings, Roles, RoleBindings, ResourceKind.ConfigMaps, ResourceKind.Services,
        Deployments, DisruptionBudgets, ResourceKind.IngressClasses, DaemonSets,
    ];

    /// <summary>The kind of a desired or observed object, by apiVersion and kind.</summary>
    public static ResourceKind Of(string apiVersion, string kind) =>
        Owned.FirstOrDefault(k => k.Kind == kind && k.ApiVersion == apiVersion)
        ?? throw new InvalidOperationException($"alb-operator does not manage {kind} in {apiVersion}");
}
