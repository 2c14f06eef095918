using System.Text.RegularExpressions;
using AlbOperator.Core.Desired;
using AlbOperator.Core.Model;
using Edge.Testing;
using k8s.Models;

namespace AlbOperator.Core.Tests.Desired;

public class AlbDeploymentTests
{
    private static V1Deployment Deployment(AlbSpec? spec = null) => TestAlbs.Desired(spec).Get<V1Deployment>()!;

    private static V1Container Alb(AlbSpec? spec = null) => Assert.Single(Deployment(spec).Spec.Template.Spec.Containers);

    private static string? Flag(V1Container container, string flag) =>
        container.Args.SkipWhile(a => a != flag).Skip(1).FirstOrDefault();

    [Fact]
    public void Runs_the_wanted_replicas()
    {
        Assert.Equal(3, Deployment().Spec.Replicas);
        Assert.Equal(5, Deployment(new AlbSpec { Replicas = 5 }).Spec.Replicas);
    }

    [Fact]
    public void With_host_network_one_pod_per_node_is_required_and_rollouts_never_surge()
    {
        var deployment = Deployment(TestAlbs.HostNetworkVip);
        var pod = deployment.Spec.Template.Spec;

        Assert.True(pod.HostNetwork);
        Assert.Equal("ClusterFirstWithHostNet", pod.DnsPolicy);
        var term = Assert.Single(pod.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution);
        Assert.Null(pod.Affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution);
        Assert.Equal("kubernetes.io/hostname", term.TopologyKey);
        Assert.True(DesiredStateTests.Selects(term.LabelSelector.MatchLabels, deployment.Spec.Template.Metadata.Labels));
        Assert.Equal(("RollingUpdate", "0", "1"), (deployment.Spec.Strategy.Type, deployment.Spec.Strategy.RollingUpdate.MaxSurge.Value, deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.Value));
    }

    [Fact]
    public void Without_host_network_one_pod_per_node_is_preferred_and_rollouts_surge_one()
    {
        var deployment = Deployment();
        var pod = deployment.Spec.Template.Spec;

        Assert.Null(pod.HostNetwork);
        Assert.Null(pod.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution);
        var preferred = Assert.Single(pod.Affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution);
        Assert.Equal(100, preferred.Weight);
        Assert.Equal("kubernetes.io/hostname", preferred.PodAffinityTerm.TopologyKey);
        Assert.True(DesiredStateTests.Selects(preferred.PodAffinityTerm.LabelSelector.MatchLabels, deployment.Spec.Template.Metadata.Labels));
        Assert.Equal(("1", "0"), (deployment.Spec.Strategy.RollingUpdate.MaxSurge.Value, deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.Value));
    }

    [Fact]
    public void The_selector_matches_the_pods()
    {
        var deployment = Deployment();

        Assert.True(DesiredStateTests.Selects(deployment.Spec.Selector.MatchLabels, deployment.Spec.Template.Metadata.Labels));
    }

    [Fact]
    public void Probes_use_albs_admin_listener()
    {
        var alb = Alb();
        var admin = Assert.Single(alb.Ports, p => p.Name == "admin");

        Assert.Equal(10254, admin.ContainerPort);
        Assert.Equal("0.0.0.0:10254", Flag(alb, "--admin"));
        Assert.Equal(("/readyz", "admin"), (alb.ReadinessProbe.HttpGet.Path, alb.ReadinessProbe.HttpGet.Port.Value));
        Assert.Equal(("/healthz", "admin"), (alb.LivenessProbe.HttpGet.Path, alb.LivenessProbe.HttpGet.Port.Value));
        Assert.Null(alb.ReadinessProbe.HttpGet.Host);
    }

    [Fact]
    public void Connections_drain_before_the_pod_goes()
    {
        var deployment = Deployment();
        var alb = deployment.Spec.Template.Spec.Containers[0];
        var pause = alb.Lifecycle.PreStop.Sleep.Seconds;
        var shutdown = int.Parse(Flag(alb, "--shutdown-timeout")!, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(10, pause);
        Assert.Equal(30, shutdown);
        Assert.True(deployment.Spec.Template.Spec.TerminationGracePeriodSeconds > pause + shutdown);
    }

    [Fact]
    public void Listens_on_8080_and_8443_in_the_pod_and_on_80_and_443_on_the_host()
    {
        var pod = Alb();
        Assert.Equal([("http", 8080, (int?)null), ("https", 8443, null), ("admin", 10254, null)], pod.Ports.Select(p => (p.Name, p.ContainerPort, p.HostPort)));
        Assert.Equal(("0.0.0.0:8080", "0.0.0.0:8443"), (Flag(pod, "--http"), Flag(pod, "--https")));

        var host = Alb(TestAlbs.HostNetworkVip);
        Assert.Equal([("http", 80, (int?)80), ("https", 443, 443), ("admin", 10254, 10254)], host.Ports.Select(p => (p.Name, p.ContainerPort, p.HostPort)));
        Assert.Equal(("0.0.0.0:80", "0.0.0.0:443"), (Flag(host, "--http"), Flag(host, "--https")));
    }

    [Fact]
    public void Runs_unprivileged_except_for_binding_host_ports()
    {
        var pod = Alb().SecurityContext;
        Assert.Equal((true, false, true), (pod.RunAsNonRoot, pod.AllowPrivilegeEscalation, pod.ReadOnlyRootFilesystem));
        Assert.Equal(["ALL"], pod.Capabilities.Drop);
        Assert.Null(pod.Capabilities.Add);

        var host = Alb(TestAlbs.HostNetworkVip).SecurityContext;
        Assert.Equal((0L, false, false), (host.RunAsUser, host.RunAsNonRoot, host.AllowPrivilegeEscalation));
        Assert.Equal(["ALL"], host.Capabilities.Drop);
        Assert.Equal(["NET_BIND_SERVICE"], host.Capabilities.Add);
    }

    [Fact]
    public void Sets_the_pod_identity_and_the_tier_up_settings()
    {
        var env = Alb().Env;

        Assert.Equal("metadata.name", env.Single(e => e.Name == "POD_NAME").ValueFrom.FieldRef.FieldPath);
        Assert.Equal("metadata.namespace", env.Single(e => e.Name == "POD_NAMESPACE").ValueFrom.FieldRef.FieldPath);
        Assert.Equal("1", env.Single(e => e.Name == "DOTNET_TC_DelaySingleProcMultiplier").Value);
        Assert.Equal("1000", env.Single(e => e.Name == "DOTNET_TC_CallCountThreshold").Value);
        Assert.DoesNotContain(env, e => e.Name == "DOTNET_TC_CallCountingDelayMs"); // no wait at all recompiled the start-up's code as it ran
    }

    [Fact]
    public void Places_pods_by_the_specs_node_selector_tolerations_and_resources()
    {
        var deployment = Deployment(TestAlbs.HostNetworkVip with
        {
            Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("1Gi") } },
        });
        var pod = deployment.Spec.Template.Spec;

        Assert.Equal("", pod.NodeSelector["node-role.kubernetes.io/ingress"]);
        Assert.Equal("node-role.kubernetes.io/ingress", Assert.Single(pod.Tolerations).Key);
        Assert.Equal("1Gi", pod.Containers[0].Resources.Limits["memory"].ToString());
        Assert.Equal("web", pod.ServiceAccountName);
        Assert.Equal("100m", Alb().Resources.Requests["cpu"].ToString());
    }

    [Fact]
    public void Tells_alb_its_class_config_map_and_election()
    {
        var alb = Alb();

        Assert.Equal("serve", alb.Args[0]);
        Assert.Equal("edge.io/alb/edge/web", Flag(alb, "--controller-class"));
        Assert.Equal("web", Flag(alb, "--ingress-class"));
        Assert.Equal("edge/web-config", Flag(alb, "--configmap"));
        Assert.Equal("web-leader", Flag(alb, "--election-id"));
        Assert.Equal("edge", Flag(alb, "--election-namespace"));
        Assert.Contains("--update-status-on-shutdown", alb.Args);
        Assert.DoesNotContain("--watch-ingress-without-class", alb.Args);
        Assert.DoesNotContain("--manifests", alb.Args);
    }

    [Fact]
    public void A_default_class_also_serves_ingresses_without_a_class() =>
        Assert.Contains("--watch-ingress-without-class", Alb(new AlbSpec { IngressClass = new AlbIngressClassSpec { Default = true } }).Args);

    [Fact]
    public void Ingress_status_publishes_the_vip_else_the_service_else_the_nodes()
    {
        var vip = Alb(TestAlbs.HostNetworkVip);
        Assert.Equal("192.0.2.100", Flag(vip, "--publish-status-address"));
        Assert.DoesNotContain("--publish-service", vip.Args);

        var service = Alb();
        Assert.Equal("edge/web", Flag(service, "--publish-service"));
        Assert.DoesNotContain("--publish-status-address", service.Args);

        var nodes = Alb(TestAlbs.HostNetworkVip with { Vip = null });
        Assert.DoesNotContain("--publish-service", nodes.Args);
        Assert.DoesNotContain("--publish-status-address", nodes.Args);
    }

    [Fact]
    public void Uses_only_flags_alb_serve_has()
    {
        var help = File.ReadAllText(Golden.SourceFile("src/Alb/Alb/Cli/HelpText.cs"));
        var serve = help[help.IndexOf("public const string Serve", StringComparison.Ordinal)..help.IndexOf("public const string Validate", StringComparison.Ordinal)];
        var known = Regex.Matches(serve, "--[a-z][a-z-]*").Select(m => m.Value).ToHashSet();

        foreach (var spec in new[] { new AlbSpec(), TestAlbs.HostNetworkVip, new AlbSpec { IngressClass = new AlbIngressClassSpec { Default = true } } })
        {
            var flags = Alb(spec).Args.Where(a => a.StartsWith("--", StringComparison.Ordinal));
            Assert.All(flags, f => Assert.Contains(f, known));
        }
    }
}
