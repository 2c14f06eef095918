using EtcdBackup.Cli;
using EtcdBackup.Core.Retention;
using EtcdBackup.Snapshots;

namespace EtcdBackup.Daemon;

/// <summary>Exit codes that mean something in a cron job.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;
    public const int Partial = 3;
    public const int Locked = 4;
}

/// <summary>
/// One run: take the lock (or report the overlap), take a snapshot into every target, then (for <c>run</c>) apply
/// retention per target and record what happened in the metrics.
/// </summary>
internal sealed partial class BackupRun(BackupContext context, TimeProvider time, ILogger logger, BackupMetrics? metrics)
{
    /// <summary>
    /// Called with the manifest of each snapshot stored in at least one target, and those targets (deltas start a
    /// chain on it there).
    /// </summary>
    public Action<Core.Manifests.SnapshotManifest, IReadOnlyList<Targets.ITarget>>? OnStored { get; init; }

    public async Task<int> ExecuteAsync(bool prune, TextWriter output, CancellationToken ct)
    {
        using var runLock = RunLock.TryAcquire(context.LockFile);
        if (runLock is null)
        {
            LogLocked(logger, context.LockFile);
            metrics?.Runs.WithLabels("skipped").Inc();
            return ExitCodes.Locked;
        }

        metrics?.InProgress.Set(1);
        try
        {
            var taker = new SnapshotTaker(context.Settings, context.Targets, context.Key, time, logger);
            var outcome = await taker.TakeAsync(ct).ConfigureAwait(false);
            Record(outcome);
            if (outcome.Manifest is { } stored)
            {
                OnStored?.Invoke(stored, outcome.Stored);
            }

            if (outcome.Fatal is { } fatal)
            {
                LogFailed(logger, outcome.Name, FailureReason.Of(fatal), fatal.Message);
            }
            else
            {
                await output.WriteLineAsync($"{outcome.Name} stored in {string.Join(", ", outcome.Stored.Select(t => t.Name))}").ConfigureAwait(false);
            }

            if (prune)
            {
                await PruneAsync(output, ct).ConfigureAwait(false);
            }

            var result = outcome.Stored.Count == 0 ? ExitCodes.Failed
                : outcome.Failed.Count > 0 ? ExitCodes.Partial
                : ExitCodes.Ok;
            metrics?.Runs.WithLabels(result switch { ExitCodes.Ok => "success", ExitCodes.Partial => "partial", _ => "failed" }).Inc();
            return result;
        }
        finally
        {
            metrics?.InProgress.Set(0);
        }
    }

    private void Record(SnapshotOutcome outcome)
    {
        if (metrics is null)
        {
            return;
        }

        foreach (var (target, error) in outcome.Failed)
        {
            metrics.Failures.WithLabels(target.Name, FailureReason.Of(error)).Inc();
        }

        if (outcome.Fatal is { } fatal && outcome.Failed.Count == 0)
        {
            foreach (var target in context.Targets)
            {
                metrics.Failures.WithLabels(target.Name, FailureReason.Of(fatal)).Inc();
            }
        }

        if (outcome.Manifest is { } manifest)
        {
            metrics.Duration.Set(manifest.Duration.TotalSeconds);
            metrics.Revision.Set(manifest.Revision);
            foreach (var target in outcome.Stored)
            {
                metrics.LastSuccess.WithLabels(target.Name).Set(manifest.Time.ToUnixTimeMilliseconds() / 1000.0);
                metrics.Size.WithLabels(target.Name).Set(manifest.StoredSize);
                metrics.Newest(target.Name, manifest.Time);
            }
        }
    }

    private async Task PruneAsync(TextWriter output, CancellationToken ct)
    {
        var results = await Pruner.RunAsync(context.Targets, context.Settings.NamePrefix, context.Settings.Retention, time.GetUtcNow(),
            dryRun: false, output, ct).ConfigureAwait(false);
        foreach (var result in results)
        {
            foreach (var error in result.Errors)
            {
                LogPruneError(logger, error);
                metrics?.Failures.WithLabels(result.Target.Name, "prune").Inc();
            }

            if (result.Plan.Refusal is null && metrics is not null)
            {
                var kept = result.Plan.Items.Where(i => i.Decision == Decision.Keep && i.Snapshot.State == SnapshotState.Complete).ToList();
                metrics.Kept.WithLabels(result.Target.Name).Set(kept.Count);
                metrics.Deleted.WithLabels(result.Target.Name).Inc(result.Deleted);
                if (kept.Count > 0)
                {
                    metrics.Newest(result.Target.Name, kept.Max(k => k.Snapshot.Time));
                }
            }
        }
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "another run holds {LockFile}: this run is skipped, not doubled")]
    private static partial void LogLocked(ILogger logger, string lockFile);

    [LoggerMessage(EventId = 21, Level = LogLevel.Error, Message = "snapshot {Name} failed ({Reason}): {Message}")]
    private static partial void LogFailed(ILogger logger, string name, string reason, string message);

    [LoggerMessage(EventId = 22, Level = LogLevel.Warning, Message = "retention: {Error}")]
    private static partial void LogPruneError(ILogger logger, string error);
}
