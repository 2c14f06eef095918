using System.Globalization;
using EtcdBackup.Core.Deltas;
using EtcdBackup.Daemon;
using EtcdBackup.Deltas;
using EtcdBackup.Snapshots;
using EtcdBackup.Tools;

namespace EtcdBackup.Cli;

/// <summary>
/// <c>restore --to-revision R | --to-time T</c>: the newest full snapshot at or before the point (<see cref="RestorePoint"/>),
/// restored into a temporary etcd on loopback, its deltas replayed up to the point (<see cref="DeltaReplayer"/>), the
/// result saved as a snapshot and restored into the data dir with etcd's tool as any restore. Replaying writes new
/// revisions, so the restored cluster's revisions are its own, not the source's.
/// </summary>
internal static class PitrRestoreCommand
{
    public static async Task<int> RunAsync(BackupContext context, CommandLine line, CancellationToken ct)
    {
        var (revision, time) = ParsePoint(line);
        if (line.Positionals.Count > 0)
        {
            throw new UsageException($"restore: with --to-revision/--to-time, give no snapshot ID (got \"{line.Positionals[0]}\"): the full snapshot is chosen for the point");
        }

        var request = RestoreRequest.Parse(line, context.Settings);
        var etcd = ProcessRunner.Find(context.Settings.EtcdBinary) ??
            throw new UsageException($"--etcd-binary: point-in-time restore replays deltas in a temporary etcd; {context.Settings.EtcdBinary} was not found");
        var store = new DeltaStore(context.Settings.NamePrefix, context.Settings.Compression, context.Key);
        Targets.ITarget? target = null;
        RestorePlan? plan = null;
        var refusals = new List<string>();
        foreach (var candidate in context.Targets)
        {
            var (listing, deltas) = await TargetCatalog.ListWithDeltasAsync(candidate, context.Settings.NamePrefix, ct).ConfigureAwait(false);
            if (listing.Failure is not null)
            {
                refusals.Add($"{candidate.Name}: {listing.Failure}");
            }
            else if (RestorePoint.TryPlan(DeltaChain.Build(listing.Snapshots, deltas), revision, time, out plan, out var error))
            {
                target = candidate;
                break;
            }
            else
            {
                refusals.Add(context.Targets.Count == 1 ? error : $"{error} (in {candidate.Name})");
            }
        }

        if (target is null || plan is null)
        {
            refusals.ForEach(Console.Error.WriteLine);
            return ExitCodes.Failed;
        }

        var baseManifest = plan.Chain.BaseManifest;
        var file = request.TempFile();
        var result = request.TempFile();
        try
        {
            if (!await RestoreCommand.FetchAsync(context, target, baseManifest, file, ct).ConfigureAwait(false))
            {
                return ExitCodes.Failed;
            }

            var upTo = await DeltaReplayer.TargetAsync(store, target, plan, ct).ConfigureAwait(false);
            Console.WriteLine($"3. restore it into a temporary etcd and replay {plan.Deltas.Count} delta(s) up to source revision {upTo}");
            long restoredRevision;
            (int Revisions, long Events) replayed;
            var member = await TemporaryEtcd.StartAsync(request.Tool, etcd, file, "pitr", ct).ConfigureAwait(false);
            await using (member.ConfigureAwait(false))
            {
                var (baseRevision, _) = await member.ReadBackAsync(ct).ConfigureAwait(false);
                if (baseRevision > upTo)
                {
                    Console.Error.WriteLine($"restore: {baseManifest.Name} holds revision {baseRevision}, after the point {upTo}; choose a later point");
                    return ExitCodes.Failed;
                }

                replayed = await DeltaReplayer.ReplayAsync(member, store, target, plan, baseRevision, upTo, ct).ConfigureAwait(false);
                (restoredRevision, _) = await member.ReadBackAsync(ct).ConfigureAwait(false);
                await member.SaveSnapshotAsync(result, ct).ConfigureAwait(false);
            }

            Console.Write("4. ");
            if (await request.InstallAsync(result, ct).ConfigureAwait(false) is { } error)
            {
                Console.Error.WriteLine($"restore: {error}");
                return ExitCodes.Failed;
            }

            Console.WriteLine($"replayed {replayed.Revisions} revisions ({replayed.Events} events) on {baseManifest.Name}: the state of source revision {upTo}; " +
                $"the restored cluster is at its own revision {restoredRevision}");
            request.PrintNext($"source revision {upTo}");
            return ExitCodes.Ok;
        }
        catch (ReplayException e)
        {
            Console.Error.WriteLine($"restore: {e.Message}; refusing");
            return ExitCodes.Failed;
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            Console.Error.WriteLine($"restore: {e.Message}");
            return ExitCodes.Failed;
        }
        finally
        {
            File.Delete(file);
            File.Delete(result);
        }
    }

    private static (long? Revision, DateTimeOffset? Time) ParsePoint(CommandLine line)
    {
        var (rev, at) = (line.Option("to-revision"), line.Option("to-time"));
        if (rev is not null && at is not null)
        {
            throw new UsageException("--to-revision/--to-time: give one point, not both");
        }

        if (rev is not null)
        {
            return long.TryParse(rev, NumberStyles.None, CultureInfo.InvariantCulture, out var r) && r > 0
                ? (r, null)
                : throw new UsageException($"--to-revision: \"{rev}\" is not a revision (a whole number above 0)");
        }

        return DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? (null, t)
            : throw new UsageException($"--to-time: \"{at}\" is not a time like 2026-11-25T14:30:00Z (RFC 3339; UTC when no offset is given)");
    }
}
