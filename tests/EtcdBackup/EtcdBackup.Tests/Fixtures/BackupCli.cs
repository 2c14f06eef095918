using Edge.Testing;

namespace EtcdBackup.Tests.Fixtures;

/// <summary>Runs etcd-backup as an operator does (a real process), with an environment of its own: the build's
/// etcd-backup.dll, or the published native executable named by ETCD_BACKUP_BIN (scripts/test.sh runs the process tests
/// a second time against the Native AOT publish, the form operators install).</summary>
public static class BackupCli
{
    public const string BinaryVariable = "ETCD_BACKUP_BIN";

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "etcd-backup.dll");

    /// <summary>The published executable under test, or null for the build's dll.</summary>
    public static string? Binary => Environment.GetEnvironmentVariable(BinaryVariable) is { Length: > 0 } bin ? Path.GetFullPath(bin) : null;

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
        return Binary is { } binary
            ? TestProcess.Start(binary, args, environment: environment)
            : TestProcess.Start("dotnet", [Dll, .. args], environment: environment);
    }
}
