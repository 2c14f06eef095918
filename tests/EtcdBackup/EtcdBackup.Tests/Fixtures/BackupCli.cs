using Edge.Testing;

namespace EtcdBackup.Tests.Fixtures;

/// <summary>Runs the built etcd-backup as an operator does (a real process), with an environment of its own.</summary>
public static class BackupCli
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "etcd-backup.dll");

    public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(IDictionary<string, string>? env, params string[] args)
    {
        await using var process = Start(env, args);
        var exit = await process.WaitForExitAsync(TimeSpan.FromMinutes(3));
        return (exit, string.Join("\n", process.Stdout), string.Join("\n", process.Stderr));
    }

    public static TestProcess Start(IDictionary<string, string>? env, params string[] args)
    {
        var environment = new Dictionary<string, string>(env ?? new Dictionary<string, string>())
        {
            ["AWS_EC2_METADATA_DISABLED"] = "true",
        };
        return TestProcess.Start("dotnet", [Dll, .. args], environment: environment);
    }
}
