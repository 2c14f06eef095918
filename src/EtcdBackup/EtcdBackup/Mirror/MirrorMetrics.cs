using EtcdBackup.Core.Mirror;
using Prometheus;

namespace EtcdBackup.Mirror;

/// <summary>
/// The metrics of <c>mirror</c>. The alerts: <c>etcd_mirror_lag_seconds</c> (computed at scrape time, so it grows
/// even if the mirror hangs) and an increase of <c>etcd_mirror_resyncs_total{reason="compacted"}</c>.
/// </summary>
internal sealed class MirrorMetrics
{
    public MirrorMetrics(CollectorRegistry registry, MirrorProgress progress, TimeProvider time)
    {
        var f = Metrics.WithCustomRegistry(registry);
        Applied = f.CreateGauge("etcd_mirror_applied_revision", "Last source revision applied to the destination (the resume key's value).");
        var source = f.CreateGauge("etcd_mirror_source_revision", "Latest revision the source reported (progress answers, every second).");
        var lagRevisions = f.CreateGauge("etcd_mirror_lag_revisions", "Source revisions not yet known to be applied (writes outside the mirrored prefixes count only until the next progress answer).");
        var lagSeconds = f.CreateGauge("etcd_mirror_lag_seconds", "Time since the mirror was last caught up with the source; 0 while it is.");
        Events = f.CreateCounter("etcd_mirror_applied_events_total", "Source events (puts and deletes in the mirrored ranges) applied to the destination.");
        Txns = f.CreateCounter("etcd_mirror_transactions_total", "Destination transactions committed.");
        TxnSeconds = f.CreateHistogram("etcd_mirror_transaction_duration_seconds",
            "Time from sending a destination transaction to its commit, retries included: the destination's share of the lag (its disk's fsync, mostly).",
            new HistogramConfiguration { Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        Resyncs = f.CreateCounter("etcd_mirror_resyncs_total", "Full resyncs by reason: initial (no resume key), compacted (the source's history was gone), source-behind (the source's revision is below the resume key).", "reason");
        ResyncKeys = f.CreateCounter("etcd_mirror_resync_keys_total", "Keys handled by resyncs: put (new or changed), deleted (no longer at the source), unchanged.", "action");
        Errors = f.CreateCounter("etcd_mirror_errors_total", "Failures retried, by where: source (the change stream), destination (writes), resync.", "side");
        registry.AddBeforeCollectCallback(() =>
        {
            source.Set(progress.Source);
            lagRevisions.Set(progress.LagRevisions);
            lagSeconds.Set(progress.LagTime(time.GetUtcNow()).TotalSeconds);
        });
    }

    public Gauge Applied { get; }
    public Counter Events { get; }
    public Counter Txns { get; }
    public Histogram TxnSeconds { get; }
    public Counter Resyncs { get; }
    public Counter ResyncKeys { get; }
    public Counter Errors { get; }
}
