using System.Globalization;
using System.Text;
using AlbOperator.Core.Model;
using AlbOperator.Core.Validation;
using k8s.Models;

namespace AlbOperator.Core.Desired;

/// <summary>
/// vipd for an Alb with <c>spec.vip</c>: a DaemonSet on the Alb's nodes (host network, NET_ADMIN and NET_RAW) and
/// its config, in vipd's own YAML format (<c>docs/vipd.md</c>), in a ConfigMap. Every node runs the same instance
/// at the same priority with an HTTP tracker of weight 0 on the local alb's <c>/readyz</c>: a node whose alb is
/// not ready is in FAULT and never holds the VIP, so the VIP follows a ready alb.
/// </summary>
internal static class VipdObjects
{
    public const string ConfigFile = "vipd.yaml";
    public const string ConfigDirectory = "/etc/vipd";
    public const int Priority = 100;

    public static string Config(AlbNames names, AlbVipSpec vip)
    {
        var address = VipAddress.TryParse(vip.Address!, out var parsed, out _) ? $"{parsed.Address}/{parsed.Prefix}" : vip.Address!;
        var invariant = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(invariant, $"# vipd config of Alb {names}, written by alb-operator: change the Alb, not this.\n");
        text.Append(invariant, $"admin: 127.0.0.1:{AlbPorts.VipdAdmin}\n");
        text.Append("instances:\n");
        text.Append(invariant, $"  - name: \"{names.Namespace}/{names.Name}\"\n");
        text.Append(invariant, $"    interface: \"{vip.Interface}\"\n");
        text.Append(invariant, $"    vrid: {vip.Vrid}\n");
        text.Append("    version: 3\n");
        // The same priority everywhere: the highest primary address wins a tie, and a recovered node does not
        // take the VIP back from a healthy master.
        text.Append(invariant, $"    priority: {Priority}\n");
        text.Append(invariant, $"    advertInterval: {vip.AdvertInterval}\n");
        text.Append(invariant, $"    addresses: [\"{address}\"]\n");
        text.Append("    track:\n");
        text.Append("      http:\n");
        // alb's admin listener is on every address of the node (host network), so loopback reaches the local alb.
        text.Append(invariant, $"        - {{name: alb, url: \"http://127.0.0.1:{AlbPorts.Admin}/readyz\", interval: 500ms, timeout: 300ms, rise: 2, fall: 2, weight: 0}}\n");
        return text.ToString();
    }

    public static V1ConfigMap ConfigMap(AlbResource alb, AlbNames names, string config) => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = AlbLabels.Meta(alb, names, names.VipdConfigMap, namespaced: true, component: AlbLabels.VipdComponent),
        Data = new Dictionary<string, string> { [ConfigFile] = config },
    };

    public static V1DaemonSet DaemonSet(AlbResource alb, AlbNames names, AlbSpec spec, string image, string config)
    {
        var selector = AlbLabels.Selector(names, AlbLabels.VipdComponent);
        return new V1DaemonSet
        {
            ApiVersion = "apps/v1",
            Kind = "DaemonSet",
            Metadata = AlbLabels.Meta(alb, names, names.VipdDaemonSet, namespaced: true, component: AlbLabels.VipdComponent),
            Spec = new V1DaemonSetSpec
            {
                Selector = new V1LabelSelector { MatchLabels = selector },
                UpdateStrategy = new V1DaemonSetUpdateStrategy
                {
                    Type = "RollingUpdate",
                    RollingUpdate = new V1RollingUpdateDaemonSet { MaxUnavailable = 1, MaxSurge = 0 },
                },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta
                    {
                        Labels = AlbLabels.For(names, AlbLabels.VipdComponent),
                        // vipd reads its config at start: a changed config rolls the pods (one node at a time).
                        Annotations = new Dictionary<string, string> { [AlbApi.ConfigHashAnnotation] = DesiredHash.OfText(config) },
                    },
                    Spec = new V1PodSpec
                    {
                        HostNetwork = true,
                        DnsPolicy = "ClusterFirstWithHostNet",
                        AutomountServiceAccountToken = false,
                        EnableServiceLinks = false,
                        NodeSelector = spec.NodeSelector is { Count: > 0 } nodes ? AlbLabels.Sorted(nodes) : null,
                        Tolerations = spec.Tolerations is { Count: > 0 } tolerations ? [.. tolerations] : null,
                        // SIGTERM: vipd sends priority 0 and removes the VIP at once; this is a margin.
                        TerminationGracePeriodSeconds = 10,
                        SecurityContext = new V1PodSecurityContext { SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" } },
                        Containers = [Container(image)],
                        Volumes =
                        [
                            new V1Volume { Name = "config", ConfigMap = new V1ConfigMapVolumeSource { Name = names.VipdConfigMap } },
                            new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource() },
                        ],
                    },
                },
            },
        };
    }

    private static V1Container Container(string image)
    {
        // vipd's admin listener is on the node's loopback; with the host network the kubelet reaches it there.
        V1Probe Probe(int period, int failures) => new()
        {
            HttpGet = new V1HTTPGetAction { Host = "127.0.0.1", Path = "/healthz", Port = AlbPorts.VipdAdmin },
            PeriodSeconds = period,
            TimeoutSeconds = 2,
            FailureThreshold = failures,
        };

        return new V1Container
        {
            Name = "vipd",
            Image = image,
            ImagePullPolicy = "IfNotPresent",
            Args = ["run", $"{ConfigDirectory}/{ConfigFile}"],
            Resources = new V1ResourceRequirements
            {
                Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("10m"), ["memory"] = new("48Mi") },
                Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("128Mi") },
            },
            ReadinessProbe = Probe(period: 5, failures: 2),
            LivenessProbe = Probe(period: 10, failures: 3),
            SecurityContext = new V1SecurityContext
            {
                // Raw VRRP sockets and address changes: root with exactly these two capabilities (Kubernetes gives
                // added capabilities to root only).
                RunAsUser = 0,
                RunAsNonRoot = false,
                AllowPrivilegeEscalation = false,
                ReadOnlyRootFilesystem = true,
                Capabilities = new V1Capabilities { Drop = ["ALL"], Add = ["NET_ADMIN", "NET_RAW"] },
            },
            VolumeMounts =
            [
                new V1VolumeMount { Name = "config", MountPath = ConfigDirectory, ReadOnlyProperty = true },
                new V1VolumeMount { Name = "tmp", MountPath = "/tmp" },
            ],
        };
    }
}
