using AlbOperator.Core.Model;
using k8s.Models;

namespace AlbOperator.Core.Desired;

/// <summary>The alb Deployment and its PodDisruptionBudget.</summary>
internal static class AlbWorkload
{
    public const string ContainerName = "alb";

    public static V1Deployment Deployment(AlbResource alb, AlbNames names, AlbSpec spec, string image)
    {
        var hostNetwork = spec.HostNetwork == true;
        var selector = AlbLabels.Selector(names, AlbLabels.AlbComponent);
        return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = AlbLabels.Meta(alb, names, names.Deployment, namespaced: true),
            Spec = new V1DeploymentSpec
            {
                Replicas = spec.Replicas,
                Selector = new V1LabelSelector { MatchLabels = selector },
                Strategy = new V1DeploymentStrategy
                {
                    Type = "RollingUpdate",
                    // Host ports cannot surge: a new pod cannot start on a node until the old one has left it.
                    // Without them, surge one and never drop below the wanted count.
                    RollingUpdate = hostNetwork
                        ? new V1RollingUpdateDeployment { MaxSurge = 0, MaxUnavailable = 1 }
                        : new V1RollingUpdateDeployment { MaxSurge = 1, MaxUnavailable = 0 },
                },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = AlbLabels.For(names) },
                    Spec = PodSpec(names, spec, image, selector),
                },
            },
        };
    }

    private static V1PodSpec PodSpec(AlbNames names, AlbSpec spec, string image, Dictionary<string, string> selector)
    {
        var hostNetwork = spec.HostNetwork == true;
        return new V1PodSpec
        {
            ServiceAccountName = names.ServiceAccount,
            HostNetwork = hostNetwork ? true : null,
            DnsPolicy = hostNetwork ? "ClusterFirstWithHostNet" : null,
            EnableServiceLinks = false,
            NodeSelector = spec.NodeSelector is { Count: > 0 } nodes ? AlbLabels.Sorted(nodes) : null,
            Tolerations = spec.Tolerations is { Count: > 0 } tolerations ? [.. tolerations] : null,
            Affinity = AntiAffinity(selector, required: hostNetwork),
            TerminationGracePeriodSeconds = AlbPorts.TerminationGracePeriodSeconds,
            SecurityContext = new V1PodSecurityContext { SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" } },
            Containers = [Container(names, spec, image)],
            Volumes = [new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource() }],
        };
    }

    /// <summary>
    /// One alb per node: required with hostNetwork (two would fight over the node's ports), preferred otherwise (a
    /// node's loss takes at most one replica while there are nodes enough).
    /// </summary>
    private static V1Affinity AntiAffinity(Dictionary<string, string> selector, bool required)
    {
        var term = new V1PodAffinityTerm
        {
            LabelSelector = new V1LabelSelector { MatchLabels = selector },
            TopologyKey = "kubernetes.io/hostname",
        };
        return new V1Affinity
        {
            PodAntiAffinity = required
                ? new V1PodAntiAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [term] }
                : new V1PodAntiAffinity { PreferredDuringSchedulingIgnoredDuringExecution = [new V1WeightedPodAffinityTerm { Weight = 100, PodAffinityTerm = term }] },
        };
    }

    private static V1Container Container(AlbNames names, AlbSpec spec, string image)
    {
        var hostNetwork = spec.HostNetwork == true;
        return new V1Container
        {
            Name = ContainerName,
            Image = image,
            ImagePullPolicy = "IfNotPresent",
            Args = [.. AlbCommandLine.For(names, spec)],
            Ports =
            [
                Port("http", AlbPorts.HttpPort(hostNetwork), hostNetwork),
                Port("https", AlbPorts.HttpsPort(hostNetwork), hostNetwork),
                Port("admin", AlbPorts.Admin, hostNetwork),
            ],
            Env =
            [
                FieldEnv("POD_NAME", "metadata.name"),
                FieldEnv("POD_NAMESPACE", "metadata.namespace"),
                // On one CPU .NET's tier-up delay is 10x (1 s): ~30-40 s on tier-0 code under load. 1x: steady in 5-10 s.
                new V1EnvVar { Name = "DOTNET_TC_DelaySingleProcMultiplier", Value = "1" },
                // Optimised after 1,000 calls, not 30: code run once per configuration change is not recompiled per change.
                new V1EnvVar { Name = "DOTNET_TC_CallCountThreshold", Value = "1000" },
            ],
            Resources = spec.Resources,
            ReadinessProbe = new V1Probe
            {
                HttpGet = new V1HTTPGetAction { Path = "/readyz", Port = "admin" },
                PeriodSeconds = 5,
                TimeoutSeconds = 2,
                FailureThreshold = 2,
            },
            LivenessProbe = new V1Probe
            {
                HttpGet = new V1HTTPGetAction { Path = "/healthz", Port = "admin" },
                InitialDelaySeconds = 10,
                PeriodSeconds = 10,
                TimeoutSeconds = 2,
                FailureThreshold = 3,
            },
            // The pause runs before SIGTERM: alb keeps serving while it leaves the endpoints. The kubelet sleeps,
            // so the image needs no shell (Kubernetes 1.30+, PodLifecycleSleepAction).
            Lifecycle = new V1Lifecycle { PreStop = new V1LifecycleHandler { Sleep = new V1SleepAction { Seconds = AlbPorts.PreStopPauseSeconds } } },
            SecurityContext = hostNetwork
                ? new V1SecurityContext
                {
                    // Binding the node's 80/443 needs NET_BIND_SERVICE, which Kubernetes grants only to root
                    // (no ambient capabilities); every other capability is dropped.
                    RunAsUser = 0,
                    RunAsNonRoot = false,
                    AllowPrivilegeEscalation = false,
                    ReadOnlyRootFilesystem = true,
                    Capabilities = new V1Capabilities { Drop = ["ALL"], Add = ["NET_BIND_SERVICE"] },
                }
                : new V1SecurityContext
                {
                    RunAsNonRoot = true,
                    AllowPrivilegeEscalation = false,
                    ReadOnlyRootFilesystem = true,
                    Capabilities = new V1Capabilities { Drop = ["ALL"] },
                },
            VolumeMounts = [new V1VolumeMount { Name = "tmp", MountPath = "/tmp" }],
        };
    }

    private static V1ContainerPort Port(string name, int port, bool hostNetwork) =>
        new() { Name = name, ContainerPort = port, HostPort = hostNetwork ? port : null, Protocol = "TCP" };

    internal static V1EnvVar FieldEnv(string name, string path) =>
        new() { Name = name, ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = path } } };

    public static V1PodDisruptionBudget DisruptionBudget(AlbResource alb, AlbNames names) => new()
    {
        ApiVersion = "policy/v1",
        Kind = "PodDisruptionBudget",
        Metadata = AlbLabels.Meta(alb, names, names.PodDisruptionBudget, namespaced: true),
        Spec = new V1PodDisruptionBudgetSpec
        {
            MaxUnavailable = 1,
            Selector = new V1LabelSelector { MatchLabels = AlbLabels.Selector(names, AlbLabels.AlbComponent) },
        },
    };
}
