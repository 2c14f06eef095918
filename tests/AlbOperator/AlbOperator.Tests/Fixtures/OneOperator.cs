namespace AlbOperator.Tests.Fixtures;

/// <summary>A test cluster and one operator (so it leads at once), shared by the tests of a class; each test uses Albs of its own.</summary>
public sealed class OneOperator : IAsyncLifetime
{
    internal TestCluster Cluster { get; private set; } = null!;

    internal OperatorProcess Operator { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await TestCluster.StartAsync();
        Operator = await OperatorProcess.StartAsync(Cluster.Kubeconfig, "op-0");
    }

    public async Task DisposeAsync()
    {
        await Operator.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
