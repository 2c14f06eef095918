using Xunit;

namespace Edge.Testing.Tests.KubeApi;

/// <summary>tests/tools/TestApiServer as a process: prints its URL, writes a kubeconfig kubectl uses, exits 0 on SIGTERM.</summary>
public sealed class ServerProcessTests
{
    [Fact]
    public async Task Runs_until_SIGTERM_and_serves_kubectl()
    {
        var dir = Directory.CreateTempSubdirectory("testapi-").FullName;
        var kubeconfig = Path.Combine(dir, "kubeconfig");
        var dll = Path.Combine(AppContext.BaseDirectory, "TestApiServer.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing (the test project references tests/tools/TestApiServer)");
        await using var server = TestProcess.Start("dotnet", [dll, "--port", "0", "--kubeconfig-out", kubeconfig]);
        await Eventually.TrueAsync(() => server.Stdout.Any(l => l.StartsWith("http://127.0.0.1:", StringComparison.Ordinal)) || server.HasExited, "the server prints its URL", 30);
        Assert.False(server.HasExited, server.Output());
        Assert.True(File.Exists(kubeconfig));

        var (exit, stdout, stderr) = await TestProcess.RunAsync(Kubectl.Binary, ["get", "namespaces", "-o", "name", "--kubeconfig", kubeconfig, "--cache-dir", Path.Combine(dir, "cache")]);
        Assert.True(exit == 0, stderr);
        Assert.Contains("namespace/default", stdout);

        server.Signal(15);
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Directory.Delete(dir, recursive: true);
    }
}
