using AlbOperator.Core.Model;
using k8s;
using k8s.Models;

namespace AlbOperator.Core.Desired;

/// <summary>The permissions one Alb's pods get: cluster-wide (ClusterRole) and in the Alb's namespace (Role, its Lease).</summary>
public sealed record AlbRbacRules(IReadOnlyList<V1PolicyRule> Cluster, IReadOnlyList<V1PolicyRule> Namespaced);

/// <summary>
/// Exactly what alb needs and nothing more (a test pins the rules): it reads the objects a route table is built from,
/// writes Ingress status, posts Events on Ingresses, and elects a status writer with its own Lease.
/// </summary>
public static class AlbRbac
{
    public static AlbRbacRules RbacFor(AlbResource alb) => For(AlbNames.Of(alb));

    public static AlbRbacRules For(AlbNames names) => new(
        Cluster:
        [
            // Translation input (Secrets: TLS and auth; ConfigMaps: --configmap; Pods and Nodes: status addresses).
            Rule("", ["configmaps", "nodes", "pods", "secrets", "services"], Read),
            Rule("discovery.k8s.io", ["endpointslices"], Read),
            Rule("networking.k8s.io", ["ingressclasses", "ingresses"], Read),
            // Ingress status (the elected replica only).
            Rule("networking.k8s.io", ["ingresses/status"], ["update", "patch"]),
            // Events on Ingresses with broken annotations: an Event lives in its Ingress's namespace, so this cannot
            // be a Role in the Alb's namespace (docs/alb-cluster.md, "Events").
            Rule("", ["events"], ["create", "patch"]),
        ],
        Namespaced:
        [
            // create cannot be limited by name; get/update only on alb's own Lease.
            Rule("coordination.k8s.io", ["leases"], ["create"]),
            Rule("coordination.k8s.io", ["leases"], ["get", "update"], [names.Lease]),
        ]);

    private static readonly string[] Read = ["get", "list", "watch"];

    private static V1PolicyRule Rule(string group, string[] resources, string[] verbs, string[]? names = null) => new()
    {
        ApiGroups = [group],
        Resources = resources,
        Verbs = verbs,
        ResourceNames = names,
    };

    internal static IEnumerable<IKubernetesObject<V1ObjectMeta>> Objects(AlbResource alb, AlbNames names)
    {
        var rules = For(names);
        var subject = new Rbacv1Subject { Kind = "ServiceAccount", Name = names.ServiceAccount, NamespaceProperty = names.Namespace };
        yield return new V1ClusterRole
        {
            ApiVersion = "rbac.authorization.k8s.io/v1",
            Kind = "ClusterRole",
            Metadata = AlbLabels.Meta(alb, names, names.ClusterRole, namespaced: false),
            Rules = [.. rules.Cluster],
        };
        yield return new V1ClusterRoleBinding
        {
            ApiVersion = "rbac.authorization.k8s.io/v1",
            Kind = "ClusterRoleBinding",
            Metadata = AlbLabels.Meta(alb, names, names.ClusterRoleBinding, namespaced: false),
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = names.ClusterRole },
            Subjects = [subject],
        };
        yield return new V1Role
        {
            ApiVersion = "rbac.authorization.k8s.io/v1",
            Kind = "Role",
            Metadata = AlbLabels.Meta(alb, names, names.Role, namespaced: true),
            Rules = [.. rules.Namespaced],
        };
        yield return new V1RoleBinding
        {
            ApiVersion = "rbac.authorization.k8s.io/v1",
            Kind = "RoleBinding",
            Metadata = AlbLabels.Meta(alb, names, names.RoleBinding, namespaced: true),
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = names.Role },
            Subjects = [subject],
        };
    }
}
