using EtcdBackup.Core.Retention;
using EtcdBackup.Daemon;
using EtcdBackup.Snapshots;
using EtcdBackup.Tools;

namespace EtcdBackup.Cli;

/// <summary>
/// <c>restore ID</c>: fetch the snapshot, check our SHA-256 against the manifest, decrypt and decompress, check etcd's
/// own SHA-256, then hand it to etcd's restore tool with the member's name and cluster flags. A data dir with anything
/// in it is refused; an empty one (a mount point) is filled through a sibling directory.
/// </summary>
internal static class RestoreCommand
{
    public static async Task<int> RunAsync(BackupContext context, CommandLine line, CancellationToken ct)
    {
        var id = line.Single("snapshot ID");
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

        var tool = EtcdRestoreTool.Detect(context.Settings) ??
            throw new UsageException($"restore needs {context.Settings.EtcdutlBinary} (etcd 3.5+) or {context.Settings.EtcdctlBinary} (3.4); neither was found");

        var problems = new List<string>();
        var found = await TargetCatalog.FindAsync(context.Targets, context.Settings.NamePrefix, id, problems, ct).ConfigureAwait(false);
        problems.ForEach(Console.Error.WriteLine);
        if (found is not ({ } target, { State: SnapshotState.Complete, Manifest: { } manifest }))
        {
            Console.Error.WriteLine(found is { } f
                ? $"restore: {f.Snapshot.Name} in {f.Target.Name} is {f.Snapshot.State.ToString().ToLowerInvariant()}: {f.Snapshot.Problem}; refusing"
                : $"restore: no complete snapshot \"{id}\" in {string.Join(", ", context.Targets.Select(t => t.Name))}");
            return ExitCodes.Failed;
        }

        var parent = Path.GetDirectoryName(dataDir)!;
        Directory.CreateDirectory(parent);
        var file = Path.Combine(parent, $".etcd-backup-restore-{Guid.NewGuid():n}.db");
        var staging = existsEmpty ? Path.Combine(parent, $".etcd-backup-restore-{Guid.NewGuid():n}") : dataDir;
        try
        {
            Console.WriteLine($"1. fetch {manifest.Object} from {target.Name} ({manifest.StoredSize} bytes, revision {manifest.Revision}, taken {manifest.Time:u})");
            Console.WriteLine($"2. check SHA-256 against the manifest{(manifest.Encryption != "none" ? ", decrypt" : "")}{(manifest.Compression != "none" ? ", decompress" : "")}, check etcd's own SHA-256");
            await using (var output = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.Asynchronous))
            {
                var bad = await ObjectReader.CheckAsync(target, manifest, context.Key, output, ct).ConfigureAwait(false);
                if (bad.Count > 0)
                {
                    Console.Error.WriteLine($"restore: refusing {manifest.Name}: {string.Join("; ", bad)}");
                    return ExitCodes.Failed;
                }
            }

            var args = EtcdRestoreTool.Arguments(file, staging, name, initialCluster, peerUrls, line.Option("initial-cluster-token"));
            Console.WriteLine($"3. {tool.Display} --data-dir {dataDir} --name {name} --initial-cluster {initialCluster} --initial-advertise-peer-urls {peerUrls}");
            try
            {
                await tool.RunAsync(args, ct).ConfigureAwait(false);
            }
            catch (InvalidOperationException e)
            {
                Console.Error.WriteLine($"restore: {e.Message}");
                return ExitCodes.Failed;
            }

            if (existsEmpty)
            {
                foreach (var entry in Directory.EnumerateFileSystemEntries(staging))
                {
                    Directory.Move(entry, Path.Combine(dataDir, Path.GetFileName(entry)));
                }
            }

            Console.WriteLine($"restored {manifest.Name} (revision {manifest.Revision}) into {dataDir} as member {name}.");
            Console.WriteLine("Next: restore every member from this same snapshot, start them with these --initial-cluster flags and");
            Console.WriteLine("--initial-cluster-state new, then restart the API servers so no client keeps a cache newer than the snapshot.");
            return ExitCodes.Ok;
        }
        finally
        {
            File.Delete(file);
            if (existsEmpty && Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }
}
