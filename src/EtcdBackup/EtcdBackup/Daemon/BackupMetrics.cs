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
        var age = f.CreateGauge("etcd_backup_newest_verified_age_seconds", "Age of the newest complete, verified snapshot in the target.", "target");
        registry.AddBeforeCollectCallback(() =>
        {
            var now = _time.GetUtcNow();
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

    public void Newest(string target, DateTimeOffset time) => _newest[target] = time;
}
