using System.Text.Json.Nodes;
using AlbOperator.Core.Desired;
using AlbOperator.Core.Model;
using AlbOperator.Core.Schema;
using AlbOperator.Core.Validation;
using Edge.Testing;
using k8s;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace AlbOperator.Core.Tests.Deploy;

/// <summary>Renders <c>deploy/</c> with <c>kubectl kustomize</c> and checks what a cluster would get.</summary>
public class DeployTests
{
    private static string Deploy(string relative) => Path.Combine(Golden.SourceDirectory("deploy"), relative);

    public static TheoryData<string> Trees => new() { "base", "overlays/host-network-vip", "overlays/load-balancer" };

    [Fact]
    public void Deploy_crd_is_the_rendered_crd()
    {
        // deploy/base/crd.yaml must be exactly Crd.RenderYaml(): the schema lives in code, and the copy must not drift.
        var path = Deploy("base/crd.yaml");
        var expected = Crd.RenderYaml();
        if (Environment.GetEnvironmentVariable("EDGE_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, expected);
            return;
        }

        Assert.True(File.Exists(path) && File.ReadAllText(path).ReplaceLineEndings("\n") == expected,
            "deploy/base/crd.yaml differs from Crd.RenderYaml() (src/AlbOperator/AlbOperator.Core/Schema/Crd.cs). Regenerate it with\n" +
            "  EDGE_UPDATE_GOLDEN=1 dotnet test tests/AlbOperator/AlbOperator.Core.Tests --filter Deploy_crd_is_the_rendered_crd\n" +
            "and review the diff (or, once the host exists: alb-operator crd > deploy/base/crd.yaml).");
    }

    [Theory]
    [MemberData(nameof(Trees))]
    public void Renders_the_operator_its_rbac_the_crd_and_an_alb(string tree)
    {
        var docs = Kustomize.Render(Deploy(tree));

        Assert.Equal(
        [
            "ClusterRole alb-operator", "ClusterRoleBinding alb-operator", "CustomResourceDefinition albs.edge.io",
            "Namespace edge-system",
            "edge-system/Alb edge", "edge-system/Deployment alb-operator", "edge-system/PodDisruptionBudget alb-operator",
            "edge-system/Role alb-operator", "edge-system/RoleBinding alb-operator",
            "edge-system/Service alb-operator-webhook", "edge-system/ServiceAccount alb-operator",
        ], docs.Select(d => (d.Namespace() is { } ns ? ns + "/" : "") + $"{d.Kind()} {d.Name()}").Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Trees))]
    public void Runs_three_operator_replicas_with_probes_on_its_admin_port(string tree)
    {
        var deployment = Kustomize.Render(Deploy(tree)).Single(d => d.Kind() == "Deployment");
        var spec = deployment.Map("spec");
        var container = (YamlMappingNode)spec.Map("template").Map("spec").Seq("containers").Children.Single();
        var args = container.Texts("args");

        Assert.Equal("3", spec.Text("replicas"));
        Assert.Equal("run", args[0]);
        Assert.Equal("0.0.0.0:10256", args[args.IndexOf("--admin") + 1]);
        Assert.Equal("0.0.0.0:9443", args[args.IndexOf("--webhook") + 1]);
        Assert.Contains("--alb-image", args);
        Assert.Equal("/readyz", container.Map("readinessProbe").Map("httpGet").Text("path"));
        Assert.Equal("/healthz", container.Map("livenessProbe").Map("httpGet").Text("path"));
        var env = container.Seq("env").Children.Cast<YamlMappingNode>().ToDictionary(e => e.Text("name"));
        Assert.Equal("metadata.name", env["POD_NAME"].Map("valueFrom").Map("fieldRef").Text("fieldPath"));
        Assert.Equal("metadata.namespace", env["POD_NAMESPACE"].Map("valueFrom").Map("fieldRef").Text("fieldPath"));
        Assert.Equal("0", env["DOTNET_TC_CallCountingDelayMs"].Text("value"));
    }

    [Theory]
    [MemberData(nameof(Trees))]
    public void The_operator_holds_what_it_needs_and_no_wildcard_or_escalation(string tree)
    {
        var docs = Kustomize.Render(Deploy(tree));
        var role = docs.Single(d => d.Kind() == "ClusterRole");
        var rules = role.Seq("rules").Children.Cast<YamlMappingNode>()
            .Select(r => (Groups: r.Texts("apiGroups"), Resources: r.Texts("resources"), Verbs: r.Texts("verbs"), Names: r.Texts("resourceNames")))
            .ToList();
        bool Allows(string group, string resource, string verb) =>
            rules.Any(r => r.Groups.Contains(group) && r.Resources.Contains(resource) && r.Verbs.Contains(verb) && r.Names.Count == 0);

        foreach (var rule in rules)
        {
            Assert.DoesNotContain("*", rule.Groups.Concat(rule.Resources).Concat(rule.Verbs));
            Assert.Empty(rule.Verbs.Intersect(["escalate", "bind", "impersonate"]));
        }

        // Its own work.
        Assert.True(Allows("edge.io", "albs", "watch") && Allows("edge.io", "albs", "update"));
        Assert.True(Allows("edge.io", "albs/status", "update") && Allows("edge.io", "albs/finalizers", "update"));
        Assert.True(Allows("coordination.k8s.io", "leases", "update") && Allows("", "events", "create"));
        Assert.True(Allows("admissionregistration.k8s.io", "validatingwebhookconfigurations", "patch"));
        foreach (var (group, resource) in new[]
        {
            ("", "serviceaccounts"), ("", "configmaps"), ("", "services"), ("apps", "deployments"), ("apps", "daemonsets"),
            ("policy", "poddisruptionbudgets"), ("networking.k8s.io", "ingressclasses"), ("rbac.authorization.k8s.io", "clusterroles"),
            ("rbac.authorization.k8s.io", "clusterrolebindings"), ("rbac.authorization.k8s.io", "roles"), ("rbac.authorization.k8s.io", "rolebindings"),
        })
        {
            Assert.True(Allows(group, resource, "patch") && Allows(group, resource, "create") && Allows(group, resource, "delete"), $"{group}/{resource}");
        }

        // RBAC escalation prevention: it can grant alb's rules only because it holds every one of them.
        var alb = AlbRbac.RbacFor(TestAlbs.Alb());
        foreach (var rule in alb.Cluster.Concat(alb.Namespaced))
        {
            foreach (var (group, resource, verb) in rule.ApiGroups.SelectMany(g => rule.Resources.SelectMany(r => rule.Verbs.Select(v => (g, r, v)))))
            {
                Assert.True(Allows(group, resource, verb), $"the operator cannot grant alb {verb} on {group}/{resource}");
            }
        }

        // In its own namespace: the webhook certificate's Secret, created, then read and renewed by name only.
        var own = docs.Single(d => d.Kind() == "Role").Seq("rules").Children.Cast<YamlMappingNode>()
            .Select(r => (Resources: r.Texts("resources"), Verbs: r.Texts("verbs"), Names: r.Texts("resourceNames"))).ToList();
        Assert.Contains(own, r => r.Resources.SequenceEqual(["secrets"]) && r.Verbs.SequenceEqual(["create"]) && r.Names.Count == 0);
        Assert.Contains(own, r => r.Resources.SequenceEqual(["secrets"]) && r.Verbs.SequenceEqual(["get", "update"]) && r.Names.SequenceEqual(["alb-operator-webhook-tls"]));
        var roleBinding = docs.Single(d => d.Kind() == "RoleBinding");
        Assert.Equal(("Role", "alb-operator"), (roleBinding.Map("roleRef").Text("kind"), roleBinding.Map("roleRef").Text("name")));

        // Bound, cluster-wide, to its own ServiceAccount only.
        var binding = docs.Single(d => d.Kind() == "ClusterRoleBinding");
        Assert.Equal("alb-operator", binding.Map("roleRef").Text("name"));
        var subject = (YamlMappingNode)binding.Seq("subjects").Children.Single();
        Assert.Equal(("ServiceAccount", "alb-operator", "edge-system"), (subject.Text("kind"), subject.Text("name"), subject.Text("namespace")));
    }

    [Theory]
    [MemberData(nameof(Trees))]
    public void The_rendered_crd_is_the_built_crd(string tree)
    {
        var crd = Kustomize.Render(Deploy(tree)).Single(d => d.Kind() == "CustomResourceDefinition");
        var json = Kustomize.ToJson(crd)!.ToJsonString();

        // kustomize sorts members; the content must be the same.
        Assert.Equal(Kustomize.Canonical(JsonNode.Parse(Crd.RenderJson())),
            Kustomize.Canonical(JsonNode.Parse(KubernetesJson.Serialize(KubernetesJson.Deserialize<V1CustomResourceDefinition>(json)))));
    }

    [Theory]
    [InlineData("base", false, "LoadBalancer")]
    [InlineData("overlays/host-network-vip", true, "ClusterIP")]
    [InlineData("overlays/load-balancer", false, "LoadBalancer")]
    public void The_example_alb_is_valid_and_deploys(string tree, bool vip, string serviceType)
    {
        var doc = Kustomize.Render(Deploy(tree)).Single(d => d.Kind() == "Alb");
        Assert.True(AlbJson.TryDeserialize(Kustomize.ToJson(doc)!.ToJsonString(), out var alb, out var error), error);
        alb!.Metadata.Uid = "uid";

        Assert.Empty(AlbValidation.Validate(alb));
        var desired = DesiredState.For(alb, TestAlbs.Options);
        Assert.True(desired.IsValid);
        Assert.Equal(vip, desired.Get<V1DaemonSet>() is not null);
        Assert.Equal(serviceType, desired.Get<V1Service>()!.Spec.Type);
        Assert.Equal("edge", desired.Get<V1IngressClass>()!.Metadata.Name);
        Assert.Equal(3, desired.Get<V1Deployment>()!.Spec.Replicas);
    }

    [Theory]
    [InlineData("alb", "src/Alb/Alb/Alb.csproj", "ENV DOTNET_TC_DelaySingleProcMultiplier=1;ENV DOTNET_TC_CallCountThreshold=1000")]
    [InlineData("alb-operator", "src/AlbOperator/AlbOperator/AlbOperator.csproj", "ENV DOTNET_TC_CallCountingDelayMs=0")]
    [InlineData("vipd", "src/VipDaemon/VipDaemon/VipDaemon.csproj", null)]
    [InlineData("etcd-backup", "src/EtcdBackup/EtcdBackup/EtcdBackup.csproj", null)]
    public void Each_binary_has_a_containerfile(string binary, string project, string? tierUp)
    {
        var text = File.ReadAllText(Deploy($"containers/{binary}.Containerfile"));

        Assert.Contains($"podman build -f deploy/containers/{binary}.Containerfile", text, StringComparison.Ordinal);
        Assert.Contains($"dotnet publish {project}", text, StringComparison.Ordinal);
        var tierUpSettings = text.Split('\n').Where(l => l.StartsWith("ENV DOTNET_TC_", StringComparison.Ordinal)).ToList();
        Assert.Equal(tierUp?.Split(';') ?? [], tierUpSettings); // the JIT images set their tier-up settings; the AOT ones none
        Assert.True(File.Exists(Path.Combine(Golden.SourceDirectory("src"), "..", project)), $"{project} does not exist");
    }
}
