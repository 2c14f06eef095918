using Edge.Testing;

namespace AlbOperator.Tests.Fixtures;

/// <summary>kubectl v1.32 (/usr/bin/kubectl or on PATH) against a test cluster, with a private cache dir. A missing kubectl fails the test.</summary>
internal sealed class Kubectl : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("alb-operator-kubectl-").FullName;
    private readonly string _kubeconfig;

    public Kubectl(TestCluster cluster) => _kubeconfig = cluster.Kubeconfig;

    private static string Binary =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin").Select(d => Path.Combine(d, "kubectl")).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("kubectl is not on this machine: these tests need kubectl v1.32 (/usr/bin/kubectl)");

    public async Task<string> RunAsync(params string[] args)
    {
        var (exit, stdout, stderr) = await TestProcess.RunAsync(Binary, [.. args, "--kubeconfig", _kubeconfig, "--cache-dir", Path.Combine(_dir, "cache")], TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, $"kubectl {string.Join(' ', args)} exited {exit}: {stderr}\n{stdout}");
        return stdout;
    }

    public string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}
