using AlbOperator.Core.Desired;
using k8s.Models;

namespace AlbOperator.Core.Tests.Desired;

public class AlbRbacTests
{
    private static string Text(V1PolicyRule rule) =>
        $"{string.Join(",", rule.ApiGroups)} {string.Join(",", rule.Resources)} {string.Join(",", rule.Verbs)}" +
        (rule.ResourceNames is { Count: > 0 } names ? $" names={string.Join(",", names)}" : "");

    [Fact]
    public void Alb_gets_exactly_what_it_needs()
    {
        var rules = AlbRbac.RbacFor(TestAlbs.Alb());

        Assert.Equal(
        [
            " configmaps,nodes,pods,secrets,services get,list,watch",
            "discovery.k8s.io endpointslices get,list,watch",
            "networking.k8s.io ingressclasses,ingresses get,list,watch",
            "networking.k8s.io ingresses/status update,patch",
            " events create,patch",
        ], rules.Cluster.Select(Text));
        Assert.Equal(
        [
            "coordination.k8s.io leases create",
            "coordination.k8s.io leases get,update names=web-leader",
        ], rules.Namespaced.Select(Text));
    }

    [Fact]
    public void The_roles_are_bound_to_the_albs_service_account()
    {
        var desired = TestAlbs.Desired();
        var clusterRole = desired.Get<V1ClusterRole>()!;
        var clusterBinding = desired.Get<V1ClusterRoleBinding>()!;
        var role = desired.Get<V1Role>()!;
        var binding = desired.Get<V1RoleBinding>()!;

        Assert.Equal(("ClusterRole", clusterRole.Metadata.Name), (clusterBinding.RoleRef.Kind, clusterBinding.RoleRef.Name));
        Assert.Equal(("Role", role.Metadata.Name), (binding.RoleRef.Kind, binding.RoleRef.Name));
        Assert.Equal("edge", role.Metadata.NamespaceProperty);
        foreach (var subject in clusterBinding.Subjects.Concat(binding.Subjects))
        {
            Assert.Equal(("ServiceAccount", "web", "edge"), (subject.Kind, subject.Name, subject.NamespaceProperty));
        }

        Assert.Equal(AlbRbac.RbacFor(TestAlbs.Alb()).Cluster.Select(Text), clusterRole.Rules.Select(Text));
        Assert.Equal(AlbRbac.RbacFor(TestAlbs.Alb()).Namespaced.Select(Text), role.Rules.Select(Text));
    }

    [Fact]
    public void No_rule_is_a_wildcard_or_an_escalation()
    {
        var rules = AlbRbac.RbacFor(TestAlbs.Alb());

        foreach (var rule in rules.Cluster.Concat(rules.Namespaced))
        {
            Assert.DoesNotContain("*", rule.Verbs.Concat(rule.Resources).Concat(rule.ApiGroups));
            Assert.Empty(rule.Verbs.Intersect(["escalate", "bind", "impersonate", "delete", "deletecollection"]));
        }
    }
}
