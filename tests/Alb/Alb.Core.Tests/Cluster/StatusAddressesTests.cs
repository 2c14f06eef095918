using Alb.Core.Cluster;
using k8s.Models;
using Xunit;

namespace Alb.Core.Tests.Cluster;

public sealed class StatusAddressesTests
{
    [Fact]
    public void Static_addresses_are_ip_or_hostname_entries_sorted_without_duplicates()
    {
        var entries = StatusAddresses.FromStatic(["lb.example.com", "10.0.0.2", " 10.0.0.1", "10.0.0.2", "2001:db8::1", ""]);
        Assert.Equal(["10.0.0.1|", "10.0.0.2|", "2001:db8::1|", "|lb.example.com"], entries.Select(e => $"{e.Ip}|{e.Hostname}"));
    }

    [Theory]
    [InlineData("LoadBalancer", "203.0.113.7|,|elb.example.com,198.51.100.9|")]
    [InlineData("NodePort", "198.51.100.9|")]
    [InlineData("ClusterIP", "10.96.0.10|")]
    public void A_published_service_gives_its_addresses_by_type(string type, string expected)
    {
        var service = new V1Service
        {
            Spec = new V1ServiceSpec { Type = type, ClusterIP = "10.96.0.10", ExternalIPs = ["198.51.100.9"] },
            Status = new V1ServiceStatus { LoadBalancer = new V1LoadBalancerStatus { Ingress = [new() { Ip = "203.0.113.7" }, new() { Hostname = "elb.example.com" }] } },
        };
        Assert.Equal(StatusAddresses.Keys(StatusAddresses.Entries(expected.Split(',').Select(e => e.Trim('|')))), StatusAddresses.Keys(StatusAddresses.FromService(service)));
    }

    [Fact]
    public void A_node_port_service_without_external_ips_gives_its_cluster_ip_and_external_name_its_name()
    {
        Assert.Equal(["10.96.0.10|"], StatusAddresses.Keys(StatusAddresses.FromService(new V1Service { Spec = new() { Type = "NodePort", ClusterIP = "10.96.0.10" } })));
        Assert.Equal(["|alb.example.net"], StatusAddresses.Keys(StatusAddresses.FromService(new V1Service { Spec = new() { Type = "ExternalName", ExternalName = "alb.example.net" } })));
        Assert.Empty(StatusAddresses.FromService(new V1Service { Spec = new() { Type = "ClusterIP", ClusterIP = "None" } }));
        Assert.Empty(StatusAddresses.FromService(new V1Service { Spec = new() { Type = "LoadBalancer" } })); // not provisioned yet
    }

    [Fact]
    public void Pods_give_the_external_or_internal_ip_of_their_node_when_running_and_ready()
    {
        V1Node Node(string name, params (string Type, string Address)[] addresses) =>
            new() { Metadata = new() { Name = name }, Status = new() { Addresses = [.. addresses.Select(a => new V1NodeAddress { Address = a.Address, Type = a.Type })] } };
        V1Pod Pod(string node, string phase = "Running", string ready = "True") =>
            new() { Metadata = new(), Spec = new() { NodeName = node }, Status = new() { Phase = phase, Conditions = [new V1PodCondition { Status = ready, Type = "Ready" }] } };
        var nodes = new[] { Node("a", ("InternalIP", "10.0.0.1"), ("ExternalIP", "203.0.113.1")), Node("b", ("InternalIP", "10.0.0.2")), Node("c", ("InternalIP", "10.0.0.3")) };
        var pods = new[] { Pod("a"), Pod("b"), Pod("c", ready: "False"), Pod("c", phase: "Pending"), Pod("gone") };
        Assert.Equal(["10.0.0.2|", "203.0.113.1|"], StatusAddresses.Keys(StatusAddresses.FromPods(pods, nodes)));
        Assert.Equal(["10.0.0.1|", "10.0.0.2|"], StatusAddresses.Keys(StatusAddresses.FromPods(pods, nodes, internalIps: true)));
    }
}
