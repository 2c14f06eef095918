using System.Globalization;
using k8s.Models;
using static AlbOperator.Core.Tests.Admission.TestIngresses;

namespace AlbOperator.Core.Tests.Admission;

/// <summary>
/// 10,000 Ingresses in the cluster: the answers stay right. How fast they come is measured by
/// benchmarks/Alb.Benchmarks/AdmissionBenchmarks.cs, not asserted here.
/// </summary>
public class AdmissionScaleTests
{
    /// <summary>N Ingresses over N/10 hosts, 2 paths each; every third host in regex mode (rewrite-target on one Ingress).</summary>
    internal static List<V1Ingress> Cluster(int count)
    {
        var cluster = new List<V1Ingress>(count);
        for (var i = 0; i < count; i++)
        {
            var n = i.ToString(CultureInfo.InvariantCulture);
            var host = $"host{(i / 10).ToString(CultureInfo.InvariantCulture)}.example.com";
            var regex = i % 30 == 0;
            var ingress = Ingress("ing-" + n, host: host, path: $"/app{i % 10}", created: Old.AddSeconds(i), ns: "bench",
                annotations: regex ? Annotations(("rewrite-target", "/"), ("limit-rps", "100")) : Annotations(("limit-rps", "100")));
            ingress.Spec.Rules = [Rule(host, ($"/app{i % 10}", "Prefix"), ($"/app{i % 10}/health", "Exact"))];
            cluster.Add(ingress);
        }

        return cluster;
    }

    [Fact]
    public void Judges_one_Ingress_among_ten_thousand()
    {
        var cluster = Cluster(10_000);
        var admission = Webhook([.. cluster]);

        var taken = admission.Review(Ingress("newcomer", host: "host500.example.com", path: "/app3", ns: "bench"), "CREATE");
        Assert.False(taken.Allowed);
        Assert.Contains("already served by the older Ingress bench/ing-5003", taken.Message);

        var regexHost = admission.Review(Ingress("newcomer", host: "host600.example.com", path: "/app0/", ns: "bench"), "CREATE");
        Assert.True(regexHost.Allowed, regexHost.Message);
        Assert.Contains(regexHost.Warnings, w => w.StartsWith("ALB1803 ", StringComparison.Ordinal));

        Assert.True(admission.Review(Ingress("newcomer", host: "host500.example.com", path: "/app99", ns: "bench"), "CREATE").Allowed);
        Assert.True(admission.Review(Ingress("newcomer", host: "host500.example.com", path: "/app3", ns: "bench", className: "nginx"), "CREATE").Allowed);
        Assert.True(admission.Review(cluster[5003], "UPDATE", previous: cluster[5003]).Allowed);

        var moved = Ingress("ing-5004", host: "host500.example.com", path: "/app3", ns: "bench", created: Old.AddSeconds(5004));
        Assert.False(admission.Review(moved, "UPDATE", previous: cluster[5004]).Allowed);
    }

    [Fact]
    public void A_crowded_host_is_judged_from_its_oldest_Ingresses()
    {
        // 200 Ingresses of one host, each with a rewrite-target (so each acts on the whole host): the index hands the
        // translation at most 64 per bucket, the oldest; the host is in regex mode and path /svc150 is taken.
        var crowd = Enumerable.Range(0, 200)
            .Select(i => Ingress($"crowd-{i}", host: "big.example.com", path: $"/svc{i}", created: Old.AddSeconds(i), annotations: Annotations(("rewrite-target", "/"))))
            .ToArray();
        var admission = Webhook(crowd);

        var taken = admission.Review(Ingress("newcomer", host: "big.example.com", path: "/svc150"), "CREATE");
        Assert.False(taken.Allowed);
        Assert.Contains("by the older Ingress default/crowd-150", taken.Message);

        var free = admission.Review(Ingress("newcomer", host: "big.example.com", path: "/svc150/"), "CREATE");
        Assert.True(free.Allowed);
        Assert.Contains(free.Warnings, w => w.StartsWith("ALB1803 ", StringComparison.Ordinal));
    }
}
