using System.Collections.Immutable;
using Alb.Core.Diagnostics;
using Prometheus;

namespace Alb.Observability;

/// <summary>Configuration and connection metrics: ingress-nginx's reload series plus alb_* series of our own.</summary>
internal sealed class AlbMetrics
{
    private readonly Gauge _lastReloadSuccessful;
    private readonly Gauge _lastReloadTimestamp;
    private readonly Gauge _configHash;
    private readonly Counter _success;
    private readonly Counter _errors;
    private readonly Counter _reloads;
    private readonly Gauge _diagnostics;
    private readonly Gauge _routes;
    private readonly Gauge _backends;
    private readonly Histogram _rebuild;
    private readonly Counter _fastHandOver;
    private HashSet<(string, string)> _diagnosticLabels = [];

    public AlbMetrics(IMetricFactory factory)
    {
        _lastReloadSuccessful = factory.CreateGauge("nginx_ingress_controller_config_last_reload_successful", "Whether the last configuration reload attempt was successful");
        _lastReloadTimestamp = factory.CreateGauge("nginx_ingress_controller_config_last_reload_successful_timestamp_seconds", "Timestamp of the last successful configuration reload");
        _configHash = factory.CreateGauge("nginx_ingress_controller_config_hash", "Running configuration hash actually running");
        _success = factory.CreateCounter("nginx_ingress_controller_success", "Cumulative number of Ingress controller reload operations");
        _errors = factory.CreateCounter("nginx_ingress_controller_errors", "Cumulative number of Ingress controller errors during reload operations");
        _reloads = factory.CreateCounter("alb_reloads_total", "Configuration rebuilds by result: applied (a new table was swapped in), unchanged, failed (the last good table kept)", ["result"]);
        _diagnostics = factory.CreateGauge("alb_diagnostics", "Diagnostics of the current configuration by code and severity", ["code", "severity"]);
        _routes = factory.CreateGauge("alb_routes", "Routes in the current route table");
        _backends = factory.CreateGauge("alb_backends", "Backends (Service ports) in the current route table");
        _rebuild = factory.CreateHistogram("alb_rebuild_duration_seconds", "Configuration rebuilds by stage: read (the manifest files or the informers' objects), translate, publish (compare, compile, swap)", ["stage"],
            new HistogramConfiguration { Buckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        ActiveConnections = factory.CreateGauge("alb_active_connections", "Open client connections by listener", ["listener"]);
        AccessLogDropped = factory.CreateCounter("alb_access_log_dropped_total", "Access log lines dropped because the log writer fell behind");
        UpstreamFailures = factory.CreateCounter("alb_upstream_failures_total", "Forwarding failures by kind (connect, timeout, other)", ["kind"]);
        var forwards = factory.CreateCounter("alb_upstream_forward_total", "Requests sent to a backend by the client that sent them: lean (alb's HTTP/1.1 client; off with ALB_LEAN_H1=0), loop (the front end's own loops; off with ALB_FAST_H1=0) or general (YARP); a retry counts again", ["path"]);
        _fastHandOver = factory.CreateCounter("alb_fast_handover_total", "Connections alb's own HTTP/1.1 front end (off with ALB_FAST_H1=0) handed to Kestrel at a request's start, by why its loop did not serve it", ["reason"]);
        LeanForwards = forwards.WithLabels("lean");
        GeneralForwards = forwards.WithLabels("general");
        LoopForwards = forwards.WithLabels("loop");
        LoopAccessWaits = factory.CreateCounter("alb_fast_access_waits_total", "Requests on alb's own front end whose access checks (basic auth, JWT) needed work off its loop: a password or token not verified in the last minutes, or keys not fetched yet");
    }

    /// <summary>alb_fast_access_waits_total: an access phase the loop sent off its thread (a cache miss).</summary>
    public Counter LoopAccessWaits { get; }

    public Counter.Child LoopForwards { get; }

    public Gauge ActiveConnections { get; }

    public Counter AccessLogDropped { get; }

    public Counter UpstreamFailures { get; }

    /// <summary>alb_upstream_forward_total{path="lean"}: a request sent by the lean HTTP/1.1 client.</summary>
    public Counter.Child LeanForwards { get; }

    /// <summary>alb_upstream_forward_total{path="general"}: a request sent by YARP's forwarder.</summary>
    public Counter.Child GeneralForwards { get; }

    /// <summary>alb_fast_handover_total: a connection handed from the fast front end to Kestrel, and why.</summary>
    public void FastHandOver(string reason) => _fastHandOver.WithLabels(reason).Inc();

    public void Applied(int routes, int backends, DateTimeOffset now)
    {
        _reloads.WithLabels("applied").Inc();
        _success.Inc();
        _lastReloadSuccessful.Set(1);
        _lastReloadTimestamp.Set(now.ToUnixTimeSeconds());
        _routes.Set(routes);
        _backends.Set(backends);
    }

    /// <summary>The hash of the configuration that serves (set just after <see cref="Applied"/>; the first one after alb is ready).</summary>
    public void Hashed(long hash) => _configHash.Set(hash);

    public void Rebuilt(TimeSpan read, TimeSpan translate, TimeSpan publish)
    {
        _rebuild.WithLabels("read").Observe(read.TotalSeconds);
        _rebuild.WithLabels("translate").Observe(translate.TotalSeconds);
        _rebuild.WithLabels("publish").Observe(publish.TotalSeconds);
    }

    public void Unchanged() => _reloads.WithLabels("unchanged").Inc();

    public void Failed()
    {
        _reloads.WithLabels("failed").Inc();
        _errors.Inc();
        _lastReloadSuccessful.Set(0);
    }

    public void SetDiagnostics(ImmutableArray<Diagnostic> diagnostics)
    {
        var counts = diagnostics
            .GroupBy(d => (d.Code, Severity: d.Severity.ToString().ToLowerInvariant()))
            .ToDictionary(g => g.Key, g => g.Count());
        foreach (var stale in _diagnosticLabels.Where(l => !counts.ContainsKey(l)))
        {
            _diagnostics.WithLabels(stale.Item1, stale.Item2).Set(0);
        }

        foreach (var (key, count) in counts)
        {
            _diagnostics.WithLabels(key.Code, key.Severity).Set(count);
        }

        _diagnosticLabels = [.. counts.Keys];
    }
}
