namespace Edge.Testing.KubeApi;

/// <summary>The built-in resources served from the start (reference §3.2 plus pods, nodes, daemonsets, RBAC cluster kinds).</summary>
internal static class BuiltInResources
{
    public static IReadOnlyList<ResourceType> All { get; } =
    [
        Core("namespaces", "namespace", "Namespace", namespaced: false, status: true, "ns"),
        Core("services", "service", "Service", namespaced: true, status: true, "svc"),
        Core("secrets", "secret", "Secret", namespaced: true, status: false),
        Core("configmaps", "configmap", "ConfigMap", namespaced: true, status: false, "cm"),
        Core("serviceaccounts", "serviceaccount", "ServiceAccount", namespaced: true, status: false, "sa"),
        Core("events", "event", "Event", namespaced: true, status: false, "ev"),
        Core("endpoints", "endpoints", "Endpoints", namespaced: true, status: false, "ep"),
        Core("pods", "pod", "Pod", namespaced: true, status: true, "po"),
        Core("nodes", "node", "Node", namespaced: false, status: true, "no"),
        Of("discovery.k8s.io", "endpointslices", "endpointslice", "EndpointSlice", namespaced: true, status: false),
        Of("networking.k8s.io", "ingresses", "ingress", "Ingress", namespaced: true, status: true, "ing"),
        Of("networking.k8s.io", "ingressclasses", "ingressclass", "IngressClass", namespaced: false, status: false),
        Of("coordination.k8s.io", "leases", "lease", "Lease", namespaced: true, status: false),
        Of("apps", "deployments", "deployment", "Deployment", namespaced: true, status: true, "deploy"),
        Of("apps", "daemonsets", "daemonset", "DaemonSet", namespaced: true, status: true, "ds"),
        Of("policy", "poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget", namespaced: true, status: true, "pdb"),
        Of("rbac.authorization.k8s.io", "roles", "role", "Role", namespaced: true, status: false),
        Of("rbac.authorization.k8s.io", "rolebindings", "rolebinding", "RoleBinding", namespaced: true, status: false),
        Of("rbac.authorization.k8s.io", "clusterroles", "clusterrole", "ClusterRole", namespaced: false, status: false),
        Of("rbac.authorization.k8s.io", "clusterrolebindings", "clusterrolebinding", "ClusterRoleBinding", namespaced: false, status: false),
        Of("admissionregistration.k8s.io", "validatingwebhookconfigurations", "validatingwebhookconfiguration", "ValidatingWebhookConfiguration", namespaced: false, status: false),
        Of("events.k8s.io", "events", "event", "Event", namespaced: true, status: false, "ev"),
        Of("apiextensions.k8s.io", "customresourcedefinitions", "customresourcedefinition", "CustomResourceDefinition", namespaced: false, status: true, "crd", "crds"),
    ];

    private static ResourceType Core(string plural, string singular, string kind, bool namespaced, bool status, params string[] shortNames) =>
        new("", "v1", plural, singular, kind, namespaced, shortNames, status);

    private static ResourceType Of(string group, string plural, string singular, string kind, bool namespaced, bool status, params string[] shortNames) =>
        new(group, "v1", plural, singular, kind, namespaced, shortNames, status);
}
