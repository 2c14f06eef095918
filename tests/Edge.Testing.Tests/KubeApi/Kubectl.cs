using Edge.Testing.KubeApi;
using Xunit;

namespace Edge.Testing.Tests.KubeApi;

/// <summary>Runs kubectl v1.32 against a test server with a generated kubeconfig and a private cache dir. A missing kubectl fails.</summary>
internal sealed class Kubectl : IDisposable
{
    private readonly string _dir = System.IO.Directory.CreateTempSubdirectory("kubectl-").FullName;
    private readonly string _kubeconfig;

    public Kubectl(TestApiServer api) => _kubeconfig = api.WriteKubeconfig(Path.Combine(_dir, "kubeconfig"));

    public static string Binary
    {
        get
        {
            var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "kubectl")).FirstOrDefault(File.Exists);
            Assert.True(found is not null, "kubectl is not on this machine (the test API server tests need kubectl v1.32.x on PATH, e.g. /usr/bin/kubectl)");
            return found!;
        }
    }

    public string Folder => _dir;

    public IEnumerable<string> Arguments(params string[] args) =>
        [.. args, "--kubeconfig", _kubeconfig, "--cache-dir", Path.Combine(_dir, "cache")];

    public async Task<string> RunAsync(params string[] args)
    {
        var (exit, stdout, stderr) = await TestProcess.RunAsync(Binary, Arguments(args), TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, $"kubectl {string.Join(' ', args)} exited {exit}: {stderr}\n{stdout}");
        return stdout;
    }

    public async Task<(int Exit, string Stdout, string Stderr)> TryAsync(params string[] args) =>
        await TestProcess.RunAsync(Binary, Arguments(args), TimeSpan.FromSeconds(60));

    public TestProcess Start(params string[] args) => TestProcess.Start(Binary, Arguments(args));

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
