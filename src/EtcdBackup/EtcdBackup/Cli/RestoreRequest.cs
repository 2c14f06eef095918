using EtcdBackup.Core.Config;
using EtcdBackup.Tools;

namespace EtcdBackup.Cli;

/// <summary>
/// Where and as what member a restore puts its data: <c>--data-dir</c>, <c>--name</c>, <c>--initial-cluster</c> and
/// friends, checked before anything is fetched, and the last step shared by every restore: etcd's own tool into the
/// data dir. A data dir with anything in it is refused; an empty one (a mount point) is filled through a sibling.
/// </summary>
internal sealed record RestoreRequest(string DataDir, string Name, string InitialCluster, string PeerUrls, string? ClusterToken,
    bool ExistsEmpty, EtcdRestoreTool Tool)
{
    public static RestoreRequest Parse(CommandLine line, BackupSettings settings)
    {
        var dataDir = Path.GetFullPath(line.Required("data-dir"));
        var name = line.Required("name");
        var initialCluster = line.Required("initial-cluster");
        var members = initialCluster.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(m => m.Split('=', 2)).ToList();
        if (members.Any(m => m.Length != 2 || !Uri.TryCreate(m[1], UriKind.Absolute, out _)))
        {
            throw new UsageException($"--initial-cluster: \"{initialCluster}\" is not NAME=PEER_URL,...");
        }

        var own = members.FirstOrDefault(m => m[0] == name)?[1] ??
            throw new UsageException($"--initial-cluster: has no entry for --name {name} (etcd requires this member's own entry)");
        var peerUrls = line.Option("initial-advertise-peer-urls") ?? own;
        if (!peerUrls.Split(',').Contains(own))
        {
            throw new UsageException($"--initial-advertise-peer-urls: {peerUrls} does not include {own}, this member's --initial-cluster entry");
        }

        var existsEmpty = false;
        if (Directory.Exists(dataDir))
        {
            if (Directory.EnumerateFileSystemEntries(dataDir).Any())
            {
                throw new UsageException($"--data-dir: {dataDir} exists and is not empty; restore never overwrites a member's data (move it aside first)");
            }

            existsEmpty = true;
        }
        else if (File.Exists(dataDir))
        {
            throw new UsageException($"--data-dir: {dataDir} is a file");
        }

        var tool = EtcdRestoreTool.Detect(settings) ??
            throw new UsageException($"restore needs {settings.EtcdutlBinary} (etcd 3.5+) or {settings.EtcdctlBinary} (3.4); neither was found");
        return new RestoreRequest(dataDir, name, initialCluster, peerUrls, line.Option("initial-cluster-token"), existsEmpty, tool);
    }

    /// <summary>A temporary file next to the data dir (same file system, removed by the caller).</summary>
    public string TempFile()
    {
        var parent = Path.GetDirectoryName(DataDir)!;
        Directory.CreateDirectory(parent);
        return Path.Combine(parent, $".etcd-backup-restore-{Guid.NewGuid():n}.db");
    }

    /// <summary>Restores an etcd snapshot file into the data dir with etcd's tool; the tool's error, or null.</summary>
    public async Task<string?> InstallAsync(string snapshotFile, CancellationToken ct)
    {
        var staging = ExistsEmpty ? Path.Combine(Path.GetDirectoryName(DataDir)!, $".etcd-backup-restore-{Guid.NewGuid():n}") : DataDir;
        try
        {
            Console.WriteLine($"{Tool.Display} --data-dir {DataDir} --name {Name} --initial-cluster {InitialCluster} --initial-advertise-peer-urls {PeerUrls}");
            try
            {
                await Tool.RunAsync(EtcdRestoreTool.Arguments(snapshotFile, staging, Name, InitialCluster, PeerUrls, ClusterToken), ct).ConfigureAwait(false);
            }
            catch (InvalidOperationException e)
            {
                return e.Message;
            }

            if (ExistsEmpty)
            {
                foreach (var entry in Directory.EnumerateFileSystemEntries(staging))
                {
                    Directory.Move(entry, Path.Combine(DataDir, Path.GetFileName(entry)));
                }
            }

            return null;
        }
        finally
        {
            if (ExistsEmpty && Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    public void PrintNext(string what)
    {
        Console.WriteLine($"restored {what} into {DataDir} as member {Name}.");
        Console.WriteLine("Next: restore every member from this same point, start them with these --initial-cluster flags and");
        Console.WriteLine("--initial-cluster-state new, then restart the API servers so no client keeps a cache newer than the snapshot.");
    }
}
