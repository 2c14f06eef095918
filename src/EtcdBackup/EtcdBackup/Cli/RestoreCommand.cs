using EtcdBackup.Core.Retention;
using EtcdBackup.Daemon;
using EtcdBackup.Snapshots;

namespace EtcdBackup.Cli;

/// <summary>
/// <c>restore ID</c>: fetch the snapshot, check our SHA-256 against the manifest, decrypt and decompress, check etcd's
/// own SHA-256, then hand it to etcd's restore tool with the member's name and cluster flags (<see cref="RestoreRequest"/>).
/// With <c>--to-revision</c> or <c>--to-time</c> instead of an ID: a point-in-time restore (<see cref="PitrRestoreCommand"/>).
/// </summary>
internal static class RestoreCommand
{
    public static async Task<int> RunAsync(BackupContext context, CommandLine line, CancellationToken ct)
    {
        if (line.Option("to-revision") is not null || line.Option("to-time") is not null)
        {
            return await PitrRestoreCommand.RunAsync(context, line, ct).ConfigureAwait(false);
        }

        var id = line.Single("snapshot ID");
        var request = RestoreRequest.Parse(line, context.Settings);
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

        var file = request.TempFile();
        try
        {
            if (!await FetchAsync(context, target, manifest, file, ct).ConfigureAwait(false))
            {
                return ExitCodes.Failed;
            }

            Console.Write("3. ");
            if (await request.InstallAsync(file, ct).ConfigureAwait(false) is { } error)
            {
                Console.Error.WriteLine($"restore: {error}");
                return ExitCodes.Failed;
            }

            request.PrintNext($"{manifest.Name} (revision {manifest.Revision})");
            return ExitCodes.Ok;
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Steps 1 and 2: the stored object into <paramref name="file"/>, checked and decoded; false (and why) when it is not sound.</summary>
    public static async Task<bool> FetchAsync(BackupContext context, Targets.ITarget target, Core.Manifests.SnapshotManifest manifest, string file,
        CancellationToken ct)
    {
        Console.WriteLine($"1. fetch {manifest.Object} from {target.Name} ({manifest.StoredSize} bytes, revision {manifest.Revision}, taken {manifest.Time:u})");
        Console.WriteLine($"2. check SHA-256 against the manifest{(manifest.Encryption != "none" ? ", decrypt" : "")}{(manifest.Compression != "none" ? ", decompress" : "")}, check etcd's own SHA-256");
        await using var output = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.Asynchronous);
        var bad = await ObjectReader.CheckAsync(target, manifest, context.Key, output, ct).ConfigureAwait(false);
        if (bad.Count > 0)
        {
            Console.Error.WriteLine($"restore: refusing {manifest.Name}: {string.Join("; ", bad)}");
            return false;
        }

        return true;
    }
}
