using Prometheus;

namespace AlbOperator.Observability;

/// <summary>What <c>/metrics</c> exports besides the process metrics; every name starts with <c>alb_operator_</c>.</summary>
internal sealed class OperatorMetrics(IMetricFactory factory)
{
    /// <summary>1 while this replica holds the Lease.</summary>
    public Gauge Leader { get; } = factory.CreateGauge("alb_operator_leader", "1 while this replica holds the operator's Lease and may write.");

    public Gauge ApiReachable { get; } = factory.CreateGauge("alb_operator_api_reachable", "1 while the API server answers (readiness).");

    public Gauge Albs { get; } = factory.CreateGauge("alb_operator_albs", "Alb objects the leader last reconciled.");

    /// <summary>Outcomes: unchanged, applied, cleaned_up, failed.</summary>
    public Counter Reconciles { get; } = factory.CreateCounter("alb_operator_reconciles_total", "Alb reconciles by outcome (unchanged: nothing written).", ["outcome"]);

    public Histogram ReconcileSeconds { get; } = factory.CreateHistogram("alb_operator_reconcile_duration_seconds", "Time of one Alb reconcile that wrote something or failed.",
        new HistogramConfiguration { Buckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

    /// <summary>Writes of owned objects: verb apply or delete, by kind.</summary>
    public Counter ObjectWrites { get; } = factory.CreateCounter("alb_operator_object_writes_total", "Owned objects applied (server-side) or deleted, by kind.", ["verb", "kind"]);

    public Counter StatusWrites { get; } = factory.CreateCounter("alb_operator_status_writes_total", "Alb status writes (only when the status changed).");

    public Gauge WebhookRegistered { get; } = factory.CreateGauge("alb_operator_webhook_registered", "1 when the leader last registered the ValidatingWebhookConfiguration; 0 after a failure (Degraded WebhookNotRegistered).");

    public Gauge CertificateExpiry { get; } = factory.CreateGauge("alb_operator_webhook_certificate_expiry_timestamp_seconds", "When the webhook serving certificate this replica serves expires (Unix time).");

    /// <summary>Results: allowed, denied, error (a body that is not an AdmissionReview).</summary>
    public Counter Reviews { get; } = factory.CreateCounter("alb_operator_webhook_reviews_total", "Admission reviews answered, by result.", ["result"]);
}
