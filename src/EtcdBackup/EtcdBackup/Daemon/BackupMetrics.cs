using System.Collections.Concurrent;
using Prometheus;

namespace EtcdBackup.Daemon;

/// <summary>
/// The metrics of <c>run</c>. The one alert every user wants is on <c>etcd_backup_newest_verified_age_seconds</c>:
/// computed at scrape time from the newest complete snapshot in each target, so it grows even if the daemon hangs.
/// </summary>
internal sealed class BackupMetrics
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _newest = new();
    private readonly TimeProvider _time;

    public BackupMetrics(CollectorRegistry registry, TimeProvider time)
    {
        _time = time;
        var f = Metrics.WithCustomRegistry(registry);
        LastSuccess = f.CreateGauge("etcd_backup_last_success_timestamp_seconds", "Unix time of the last snapshot stored in the target.", "target");
        Duration = f.CreateGauge("etcd_backup_last_duration_seconds", "Duration of the last snapshot (stream, store, verify).");
        Size = f.CreateGauge("etcd_backup_last_size_bytes", "Stored size of the last snapshot in the target.", "target");
        Revision = f.CreateGauge("etcd_backup_last_revision", "etcd revision of the last snapshot.");
        Failures = f.CreateCounter("etcd_backup_failures_total", "Failures by target and reason.", "target", "reason");
        Runs = f.CreateCounter("etcd_backup_runs_total", "Scheduled runs by result (success, partial, failed, skipped).", "result");
        Kept = f.CreateGauge("etcd_backup_snapshots_kept", "Complete snapshots in the target after retention.", "target");
        Deleted = f.CreateCounter("etcd_backup_snapshots_deleted_total", "Snapshots and leftovers deleted by retention.", "target");
        InProgress = f.CreateGauge("etcd_backup_run_in_progress", "1 while a run is going.");
        NextRun = f.CreateGauge("etcd_backup_next_run_timestamp_seconds", "Unix time of the next scheduled run.");
        DeltasWritten = f.CreateCounter("etcd_backup_deltas_written_total", "Deltas stored in the target.", "target");
        DeltaRevision = f.CreateGauge("etcd_backup_delta_last_revision", "etcd revision of the newest stored delta.");
        ChainBreaks = f.CreateCounter("etcd_backup_delta_chain_breaks_total",
            "Delta chains ended before the next full snapshot, by reason (compacted, write_failed); each starts a full snapshot.", "reason");
        var lag = f.CreateGauge("etcd_backup_delta_lag_seconds", "Age of the oldest change received but not yet stored in a delta (0: none waiting).");
        var age = f.CreateGauge("etcd_backup_newest_verified_age_seconds", "Age of the newest complete, verified snapshot in the target.", "target");
        registry.AddBeforeCollectCallback(() =>
        {
            var now = _time.GetUtcNow();
            if (OldestPendingDelta is { } pending)
            {
                lag.Set(pending() is { } oldest ? (now - oldest).TotalSeconds : 0);
            }

            foreach (var (target, newest) in _newest)
            {
                age.WithLabels(target).Set((now - newest).TotalSeconds);
            }
        });
    }

    public Gauge LastSuccess { get; }
    public Gauge Duration { get; }
    public Gauge Size { get; }
    public Gauge Revision { get; }
    public Counter Failures { get; }
    public Counter Runs { get; }
    public Gauge Kept { get; }
    public Counter Deleted { get; }
    public Gauge InProgress { get; }
    public Gauge NextRun { get; }
    public Counter DeltasWritten { get; }
    public Gauge DeltaRevision { get; }
    public Counter ChainBreaks { get; }

    /// <summary>When the oldest change not yet in a delta was received (set when deltas are on).</summary>
    public Func<DateTimeOffset?>? OldestPendingDelta { get; set; }

    public void Newest(string target, DateTimeOffset time) => _newest[target] = time;
}
