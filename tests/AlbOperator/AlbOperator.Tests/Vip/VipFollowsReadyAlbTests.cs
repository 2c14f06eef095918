using System.Net;
using AlbOperator.Core.Desired;
using AlbOperator.Core.Model;
using Edge.Testing;
using k8s.Models;

namespace AlbOperator.Tests.Vip;

/// <summary>
/// The operator's VIP, end to end on two Linux network namespaces standing for two ingress nodes: each runs a real
/// <c>alb</c> (its admin listener where the operator's Deployment puts it) and a real <c>vipd</c> with the very config
/// the operator writes for an Alb with <c>spec.vip</c>. The VIP must sit on a node whose alb is ready, move when that
/// alb stops, not move back when it returns (equal priorities), and move again when the other alb stops.
/// </summary>
public sealed class VipFollowsReadyAlbTests
{
    private static readonly IPAddress Vip = IPAddress.Parse("192.0.2.100");
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    [SkippableFact]
    public async Task The_vip_follows_a_ready_alb()
    {
        var why = NetnsLab.Unavailable();
        Skip.If(why is not null, why);
        var work = Directory.CreateTempSubdirectory("vip-follows-alb-").FullName;
        try
        {
            var config = Path.Combine(work, "vipd.yaml");
            File.WriteAllText(config, OperatorsVipdConfig());
            var manifests = Path.Combine(work, "manifests");
            Directory.CreateDirectory(manifests);
            File.WriteAllText(Path.Combine(manifests, "empty.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: nothing, namespace: default}\n");

            await using var lab = NetnsLab.Create(2);
            var albs = new TestProcess?[3];
            TestProcess StartAlb(int node) => lab.Start(node, "dotnet", Path.Combine(AppContext.BaseDirectory, "alb.dll"), "serve",
                "--manifests", manifests, "--http", "127.0.0.1:18080", "--https", "127.0.0.1:18443",
                "--admin", $"0.0.0.0:{AlbPorts.Admin}", "--log-level", "warning");
            bool Ready(int node) => lab.Exec(node, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", $"http://127.0.0.1:{AlbPorts.Admin}/readyz").Stdout == "200";

            for (var node = 1; node <= 2; node++)
            {
                albs[node] = StartAlb(node);
            }

            for (var node = 1; node <= 2; node++)
            {
                var n = node;
                Assert.True(await NetnsLab.WaitAsync(() => Ready(n), Limit) is not null, $"alb on node {n} never became ready:\n{albs[n]!.Output()}");
                lab.Start(node, "dotnet", Path.Combine(AppContext.BaseDirectory, "vipd.dll"), "run", config);
            }

            Assert.True(await NetnsLab.WaitAsync(() => lab.Holders(Vip).Count == 1, Limit) is not null, "nobody took the VIP");
            var first = lab.Holders(Vip)[0];
            var second = 3 - first;

            // The holder's alb goes away (a crash, a node drain): its tracker fails, vipd goes to FAULT, the other node takes over.
            await albs[first]!.DisposeAsync();
            Assert.True(await NetnsLab.WaitAsync(() => lab.Holders(Vip) is [var h] && h == second, Limit) is not null,
                $"the VIP stayed on node {first} without a ready alb: holders [{string.Join(",", lab.Holders(Vip))}]");

            // It comes back: ready again, but the VIP stays where it is (same priority, no flap back).
            albs[first] = StartAlb(first);
            Assert.True(await NetnsLab.WaitAsync(() => Ready(first), Limit) is not null, "the restarted alb never became ready");
            await Task.Delay(TimeSpan.FromSeconds(2)); // > rise (2 x 500 ms) plus a few adverts
            Assert.Equal([second], lab.Holders(Vip));

            // Now the other alb stops: the VIP returns to the node whose alb is ready.
            await albs[second]!.DisposeAsync();
            Assert.True(await NetnsLab.WaitAsync(() => lab.Holders(Vip) is [var h] && h == first, Limit) is not null,
                $"the VIP did not return to node {first}: holders [{string.Join(",", lab.Holders(Vip))}]");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The vipd.yaml of the ConfigMap the operator builds for an Alb with a VIP on the lab's segment.</summary>
    private static string OperatorsVipdConfig()
    {
        var alb = new AlbResource
        {
            Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "edge", Uid = "uid-edge-web", Generation = 1 },
            Spec = new AlbSpec
            {
                HostNetwork = true,
                Vip = new AlbVipSpec { Address = "192.0.2.100/32", Interface = "eth0", Vrid = 51, AdvertInterval = "100ms" },
            },
        };
        var desired = DesiredState.For(alb, new DesiredStateOptions { AlbImage = "registry.example.com/edge/alb:1.0" });
        return desired.Get<V1ConfigMap>("web-vipd")!.Data[VipdObjects.ConfigFile];
    }
}
