using AlbOperator.Tests.Fixtures;
using Edge.Testing;
using k8s.Models;
using static AlbOperator.Tests.Fixtures.TestCluster;

namespace AlbOperator.Tests.Cli;

/// <summary>What an administrator does with kubectl v1.32: install the CRD from <c>alb-operator crd</c>, apply, read and delete an Alb.</summary>
public sealed class KubectlTests : IAsyncLifetime
{
    private TestCluster _cluster = null!;
    private OperatorProcess? _operator;

    public async Task InitializeAsync() => _cluster = await StartAsync(installCrd: false);

    public async Task DisposeAsync()
    {
        if (_operator is not null)
        {
            await _operator.DisposeAsync();
        }

        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task An_alb_is_applied_read_and_deleted_with_kubectl()
    {
        using var kubectl = new Kubectl(_cluster);
        var (exit, crd, stderr) = await TestProcess.RunAsync("dotnet", [OperatorProcess.Dll, "crd"], TimeSpan.FromSeconds(30));
        Assert.True(exit == 0, stderr);
        Assert.Contains("customresourcedefinition.apiextensions.k8s.io/albs.edge.io created", await kubectl.RunAsync("apply", "--validate=false", "-f", kubectl.Write("crd.yaml", crd)));
        _operator = await OperatorProcess.StartAsync(_cluster.Kubeconfig, "op-0");

        var alb = kubectl.Write("alb.yaml", """
            apiVersion: edge.io/v1alpha1
            kind: Alb
            metadata:
              name: web
              namespace: default
            spec:
              replicas: 2
              ingressClass:
                name: web
            """);
        Assert.Contains("alb.edge.io/web created", await kubectl.RunAsync("apply", "--validate=false", "-f", alb));
        await EventuallyAsync(() => _cluster.Api.Objects.Get<V1Deployment>("default", "web")?.Spec.Replicas == 2, TimeSpan.FromSeconds(20), () => "the Deployment\n" + _operator.Process.Output());

        Assert.Contains("web", await kubectl.RunAsync("get", "albs"), StringComparison.Ordinal);
        string reason = "";
        await EventuallyAsync(async () => (reason = await kubectl.RunAsync("get", "alb", "web", "-o", "jsonpath={.status.conditions[?(@.type==\"Progressing\")].reason}")) == "RollingOut",
            TimeSpan.FromSeconds(20), () => $"Progressing RollingOut, got \"{reason}\"");
        Assert.Equal("edge.io/cleanup", await kubectl.RunAsync("get", "alb", "web", "-o", "jsonpath={.metadata.finalizers[0]}"));

        // kubectl delete waits until the object is gone: the operator must delete the cluster-scoped objects and let go.
        Assert.Contains("alb.edge.io \"web\" deleted", await kubectl.RunAsync("delete", "alb", "web", "--timeout=30s"));
        Assert.Null(_cluster.Alb("default", "web"));
        Assert.Null(_cluster.Api.Objects.Get<V1IngressClass>(null, "web"));
        Assert.Null(_cluster.Api.Objects.Get<V1ClusterRole>(null, "edge.io:alb:default:web"));
    }
}
