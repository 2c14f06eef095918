using k8s;

namespace Edge.Kubernetes;

/// <summary>Client setup: a kubeconfig file, or the Pod's service account when running in a cluster.</summary>
public static class KubeClients
{
    /// <summary>True when the process runs in a Pod (<c>KUBERNETES_SERVICE_HOST</c> set, as kubelet sets it).</summary>
    public static bool InCluster => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST"));

    /// <summary>A client from <paramref name="kubeconfig"/> (its current context), or the in-cluster configuration when null.</summary>
    public static KubeApi Create(string? kubeconfig, string? userAgent = null)
    {
        var config = kubeconfig is not null
            ? KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig)
            : KubernetesClientConfiguration.InClusterConfig();
        return new KubeApi(new k8s.Kubernetes(config)) { UserAgent = userAgent };
    }
}
