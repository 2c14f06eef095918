using EtcdBackup.Core.Config;

namespace EtcdBackup.Tools;

/// <summary>
/// etcd's own restore: <c>etcdutl snapshot restore</c> where etcdutl exists (3.5+; etcdctl's restore is deprecated
/// there and gone in 3.6), else <c>etcdctl snapshot restore</c> (3.4). The hash check is never skipped.
/// </summary>
internal sealed record EtcdRestoreTool(string Path, bool IsEtcdutl)
{
    public static EtcdRestoreTool? Detect(BackupSettings settings) =>
        ProcessRunner.Find(settings.EtcdutlBinary) is { } etcdutl ? new EtcdRestoreTool(etcdutl, true)
        : ProcessRunner.Find(settings.EtcdctlBinary) is { } etcdctl ? new EtcdRestoreTool(etcdctl, false)
        : null;

    public string Display => IsEtcdutl ? "etcdutl snapshot restore" : "etcdctl snapshot restore";

    public static IReadOnlyList<string> Arguments(string snapshot, string dataDir, string name, string initialCluster,
        string peerUrls, string? clusterToken)
    {
        List<string> args = ["snapshot", "restore", snapshot, "--data-dir", dataDir, "--name", name,
            "--initial-cluster", initialCluster, "--initial-advertise-peer-urls", peerUrls];
        if (clusterToken is not null)
        {
            args.AddRange(["--initial-cluster-token", clusterToken]);
        }

        return args;
    }

    public IReadOnlyDictionary<string, string> Environment => IsEtcdutl
        ? new Dictionary<string, string>()
        : new Dictionary<string, string> { ["ETCDCTL_API"] = "3" };

    public async Task RunAsync(IReadOnlyList<string> args, CancellationToken ct)
    {
        var (exit, output) = await ProcessRunner.RunAsync(Path, args, Environment, ct).ConfigureAwait(false);
        if (exit != 0)
        {
            throw new InvalidOperationException($"{Display} failed (exit {exit}): {LastLines(output)}");
        }
    }

    private static string LastLines(string output) =>
        string.Join(" | ", output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(3));
}
