using Edge.Hosting;
using EtcdBackup.Cli;
using EtcdBackup.Core.Deltas;
using EtcdBackup.Core.Retention;
using EtcdBackup.Deltas;
using EtcdBackup.Snapshots;
using Prometheus;

namespace EtcdBackup.Daemon;

/// <summary>
/// <c>etcd-backup run</c>: snapshots on the cron schedule, retention after each, metrics on the admin listener.
/// Runs never overlap: the loop is sequential and each run takes the lock; a run that outlasts its slot makes the
/// missed slots count as skipped (and says so) instead of queueing them. SIGTERM aborts a run in progress cleanly
/// (no partial object is left) and exits.
/// </summary>
internal static partial class BackupDaemon
{
    public static async Task<int> RunAsync(BackupContext context, LogLevel level)
    {
        var settings = context.Settings;
        var builder = EdgeHost.CreateBuilder();
        EdgeLogging.Configure(builder.Logging, "EtcdBackup", level);
        builder.WebHost.ConfigureKestrel(k => k.Listen(settings.Admin));
        HealthEndpoints.ConfigureDefaultMetrics();
        await using var app = builder.Build();
        app.UseEdgeAdmin(ready: () => true);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("EtcdBackup.Daemon");
        var time = TimeProvider.System;
        var metrics = new BackupMetrics(Metrics.DefaultRegistry, time);
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"--admin: cannot listen on {settings.Admin}: {e.Message}");
            return ExitCodes.Usage;
        }

        var ct = app.Lifetime.ApplicationStopping;
        LogStarted(logger, settings.Schedule!.Text, string.Join(", ", context.Targets.Select(t => t.Name)), settings.Retention.ToString(), settings.Admin.ToString());
        var chains = await SeedAsync(context, metrics, ct).ConfigureAwait(false);
        var deltas = settings.Delta.Interval is null ? null : new DeltaRecorder(context, time, logger, metrics);
        var run = new BackupRun(context, time, logger, metrics) { OnStored = (m, stored) => deltas?.NewBase(m, stored) };
        Task recording = Task.CompletedTask;
        if (deltas is not null)
        {
            metrics.OldestPendingDelta = () => deltas.OldestPending;
            deltas.Resume(DeltaChain.ResumeFrom(chains));
            recording = deltas.RunAsync(ct);
        }

        try
        {
            while (!ct.IsCancellationRequested)
            {
                var now = time.GetUtcNow();
                if (settings.Schedule.Next(now) is not { } next)
                {
                    LogNoMoreRuns(logger);
                    break;
                }

                metrics.NextRun.Set(next.ToUnixTimeMilliseconds() / 1000.0);
                var reason = await WaitAsync(next - now, time, deltas, ct).ConfigureAwait(false);
                if (reason is not null)
                {
                    LogFullForDeltas(logger, reason);
                }

                await run.ExecuteAsync(prune: true, Console.Out, ct).ConfigureAwait(false);
                var missed = 0;
                for (var slot = settings.Schedule.Next(next); slot is { } s && s < time.GetUtcNow(); slot = settings.Schedule.Next(s))
                {
                    missed++;
                }

                if (missed > 0)
                {
                    LogOverran(logger, next, missed);
                    metrics.Runs.WithLabels("skipped").Inc(missed);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // SIGTERM: the run in progress was aborted and cleaned up by its writers.
        }

        await recording.ConfigureAwait(false);
        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    /// <summary>Waits for the next slot, or less when the deltas ask for a full snapshot (the reason; null for the slot).</summary>
    private static async Task<string?> WaitAsync(TimeSpan untilSlot, TimeProvider time, DeltaRecorder? deltas, CancellationToken ct)
    {
        if (deltas is null)
        {
            await Task.Delay(untilSlot, time, ct).ConfigureAwait(false);
            return null;
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var slot = Task.Delay(untilSlot, time, cancel.Token);
        var asked = deltas.FullNeeded.WaitToReadAsync(cancel.Token).AsTask();
        var done = await Task.WhenAny(slot, asked).ConfigureAwait(false);
        await cancel.CancelAsync().ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        string? reason = null;
        while (deltas.FullNeeded.TryRead(out var r))
        {
            reason ??= r;
        }

        return done == slot ? null : reason;
    }

    /// <summary>
    /// Fills the "newest verified snapshot" gauges from what the targets hold, before the first run; returns each
    /// target's delta chains (for resuming them).
    /// </summary>
    private static async Task<IReadOnlyList<IReadOnlyList<DeltaChain>>> SeedAsync(BackupContext context, BackupMetrics metrics, CancellationToken ct)
    {
        var chains = new List<IReadOnlyList<DeltaChain>>();
        foreach (var target in context.Targets)
        {
            var (listing, deltas) = await TargetCatalog.ListWithDeltasAsync(target, context.Settings.NamePrefix, ct).ConfigureAwait(false);
            chains.Add(listing.Failure is null ? DeltaChain.Build(listing.Snapshots, deltas) : []);
            var complete = listing.Snapshots.Where(s => s.State == SnapshotState.Complete).ToList();
            metrics.Kept.WithLabels(target.Name).Set(complete.Count);
            if (complete.Count > 0)
            {
                metrics.Newest(target.Name, complete.Max(s => s.Time));
            }
        }

        return chains;
    }

    [LoggerMessage(EventId = 30, Level = LogLevel.Information,
        Message = "etcd-backup run: schedule {Schedule} (UTC), targets {Targets}, retention {Retention}, metrics on {Admin}")]
    private static partial void LogStarted(ILogger logger, string schedule, string targets, string retention, string admin);

    [LoggerMessage(EventId = 31, Level = LogLevel.Warning, Message = "the run due at {Due:u} outlasted {Missed} later slot(s): they are skipped, not queued")]
    private static partial void LogOverran(ILogger logger, DateTimeOffset due, int missed);

    [LoggerMessage(EventId = 33, Level = LogLevel.Information, Message = "full snapshot now, for the deltas ({Reason})")]
    private static partial void LogFullForDeltas(ILogger logger, string reason);

    [LoggerMessage(EventId = 32, Level = LogLevel.Warning, Message = "the schedule has no further runs; stopping")]
    private static partial void LogNoMoreRuns(ILogger logger);
}
