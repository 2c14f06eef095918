using Edge.Hosting;
using EtcdBackup.Core.Retention;
using EtcdBackup.Daemon;
using EtcdBackup.Deltas;
using EtcdBackup.Etcd;
using EtcdBackup.Mirror;
using EtcdBackup.Snapshots;
using EtcdBackup.Targets;

namespace EtcdBackup.Cli;

/// <summary>The commands of etcd-backup. Usage and settings errors: one line each, exit 2, nothing touched.</summary>
internal static class BackupCommands
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help" || args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(HelpText.Build());
            return args.Length == 0 ? ExitCodes.Usage : ExitCodes.Ok;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        try
        {
            var line = CommandLine.Parse(args);
            var level = EdgeLogging.Parse(line.Option("log-level") ?? "info");
            using var context = BackupContext.Load(line, needsTarget: line.Command != "mirror");
            using var loggers = LoggerFactory.Create(b => EdgeLogging.Configure(b, "EtcdBackup", level));
            var logger = loggers.CreateLogger("EtcdBackup");
            var ct = cancel.Token;
            switch (line.Command)
            {
                case "snapshot":
                    line.NoPositionals();
                    return await new BackupRun(context, TimeProvider.System, logger, null).ExecuteAsync(prune: false, Console.Out, ct).ConfigureAwait(false);
                case "run":
                    line.NoPositionals();
                    return await BackupDaemon.RunAsync(context, level).ConfigureAwait(false);
                case "list":
                    line.NoPositionals();
                    return await ListCommand.RunAsync(context, line.Option("output") ?? "text", ct).ConfigureAwait(false);
                case "verify":
                    return await VerifyAsync(context, line.Single("snapshot ID"), line.Option("deep") == "true", ct).ConfigureAwait(false);
                case "restore":
                    return await RestoreCommand.RunAsync(context, line, ct).ConfigureAwait(false);
                case "mirror":
                    return await MirrorAsync(context, line, level, logger, ct).ConfigureAwait(false);
                default:
                    line.NoPositionals();
                    return await PruneAsync(context, line.Option("dry-run") == "true", ct).ConfigureAwait(false);
            }
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine(e.Message);
            return ExitCodes.Usage;
        }
        catch (EtcdSetupException e)
        {
            Console.Error.WriteLine(e.Message);
            return ExitCodes.Usage;
        }
        catch (EtcdUnavailableException e)
        {
            Console.Error.WriteLine($"{args[0]}: {e.Message}");
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            Console.Error.WriteLine("etcd-backup: interrupted");
            return ExitCodes.Failed;
        }
    }

    private static async Task<int> MirrorAsync(BackupContext context, CommandLine line, LogLevel level, ILogger logger, CancellationToken ct)
    {
        var sub = line.Positionals.Count == 0 ? "" : line.Positionals[0];
        if (line.Positionals.Count > 1 || sub is not ("" or "status" or "verify"))
        {
            throw new UsageException($"mirror: expected nothing, status or verify, got \"{string.Join(" ", line.Positionals)}\"");
        }

        if (sub == "")
        {
            return await MirrorDaemon.RunAsync(context.Settings, level).ConfigureAwait(false);
        }

        using var setup = await MirrorSetup.ConnectAsync(context.Settings, logger, ct).ConfigureAwait(false);
        return sub == "status"
            ? await MirrorCommands.StatusAsync(setup, Console.Out, ct).ConfigureAwait(false)
            : await MirrorCommands.VerifyAsync(setup, Console.Out, ct).ConfigureAwait(false);
    }

    private static async Task<int> VerifyAsync(BackupContext context, string id, bool deep, CancellationToken ct)
    {
        var listings = await TargetCatalog.ListAllAsync(context.Targets, context.Settings.NamePrefix, ct).ConfigureAwait(false);
        var problems = new List<string>();
        var name = TargetCatalog.Find(listings, id, problems)?.Snapshot.Name ?? id;
        problems.ForEach(Console.Error.WriteLine);
        var failed = false;
        var checkedAny = false;
        foreach (var (target, listing) in listings)
        {
            if (listing.Snapshots.FirstOrDefault(s => s.Name == name) is not { } snapshot)
            {
                continue;
            }

            checkedAny = true;
            var result = await VerifyOneAsync(context, target, snapshot, deep, ct).ConfigureAwait(false);
            failed |= result.StartsWith("FAIL", StringComparison.Ordinal);
            Console.WriteLine($"{result[..4],-4} {target.Name} {name}: {result[5..]}");
            if (deep && await ChainVerifier.VerifyAsync(context, target, name, ct).ConfigureAwait(false) is { } chain)
            {
                failed |= chain.StartsWith("FAIL", StringComparison.Ordinal);
                Console.WriteLine($"{chain[..4],-4} {target.Name} {name}: {chain[5..]}");
            }
        }

        if (!checkedAny)
        {
            Console.Error.WriteLine($"verify: no snapshot \"{id}\" in {string.Join(", ", context.Targets.Select(t => t.Name))}");
            return ExitCodes.Failed;
        }

        return failed ? ExitCodes.Failed : ExitCodes.Ok;
    }

    /// <summary>"OK   detail" or "FAIL reason" for one copy of a snapshot.</summary>
    private static async Task<string> VerifyOneAsync(BackupContext context, ITarget target, StoredSnapshot snapshot, bool deep, CancellationToken ct)
    {
        if (snapshot is not { State: SnapshotState.Complete, Manifest: { } manifest })
        {
            return $"FAIL {snapshot.State.ToString().ToLowerInvariant()}: {snapshot.Problem}";
        }

        var problems = await ObjectReader.CheckAsync(target, manifest, context.Key, null, ct).ConfigureAwait(false);
        if (problems.Count > 0)
        {
            return $"FAIL {string.Join("; ", problems)}";
        }

        if (!deep)
        {
            return $"OK   SHA-256 {manifest.Sha256[..16]}…, etcd's hash checks, {manifest.DbSize} bytes, revision {manifest.Revision}";
        }

        try
        {
            return "OK   " + await SnapshotTaker.VerifyDeepAsync(target, manifest, context.Key, context.Settings, ct).ConfigureAwait(false);
        }
        catch (VerificationException e)
        {
            return $"FAIL {e.Message}";
        }
    }

    private static async Task<int> PruneAsync(BackupContext context, bool dryRun, CancellationToken ct)
    {
        using var runLock = RunLock.TryAcquire(context.LockFile);
        if (runLock is null)
        {
            Console.Error.WriteLine($"prune: another run holds {context.LockFile}; nothing was deleted");
            return ExitCodes.Locked;
        }

        var results = await Pruner.RunAsync(context.Targets, context.Settings.NamePrefix, context.Settings.Retention,
            TimeProvider.System.GetUtcNow(), dryRun, Console.Out, ct).ConfigureAwait(false);
        return results.Any(r => r.Errors.Count > 0) ? ExitCodes.Failed : ExitCodes.Ok;
    }
}
