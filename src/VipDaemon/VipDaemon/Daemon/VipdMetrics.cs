using Prometheus;
using VipDaemon.Core.Packets;
using VipDaemon.Core.Protocol;

namespace VipDaemon.Daemon;

/// <summary>vipd's Prometheus series, per instance.</summary>
internal sealed class VipdMetrics(IMetricFactory factory)
{
    private readonly Gauge _state = factory.CreateGauge("vipd_state", "Instance state: 0 initialize, 1 backup, 2 master, 3 fault", ["instance"]);
    private readonly Counter _transitions = factory.CreateCounter("vipd_transitions_total", "State transitions by target state and cause", ["instance", "to", "cause"]);
    private readonly Counter _sent = factory.CreateCounter("vipd_adverts_sent_total", "Advertisements sent", ["instance"]);
    private readonly Counter _received = factory.CreateCounter("vipd_adverts_received_total", "Valid advertisements received", ["instance"]);
    private readonly Counter _drops = factory.CreateCounter("vipd_drops_total", "Received packets dropped, by reason", ["instance", "reason"]);
    private readonly Counter _mismatch = factory.CreateCounter("vipd_address_mismatch_total", "Adverts whose address list differs from ours (processed, logged)", ["instance"]);
    private readonly Gauge _priority = factory.CreateGauge("vipd_effective_priority", "Priority after trackers", ["instance"]);
    private readonly Gauge _tracker = factory.CreateGauge("vipd_tracker_healthy", "1 when the tracker is healthy", ["instance", "tracker"]);
    private readonly Counter _garps = factory.CreateCounter("vipd_announcements_total", "Gratuitous ARPs / unsolicited NAs sent", ["instance"]);
    private readonly Counter _notifyFailures = factory.CreateCounter("vipd_notify_failures_total", "Notify hooks that failed or timed out", ["instance"]);

    public void State(string instance, VrrpRole role) => _state.WithLabels(instance).Set((int)role);

    public void Transition(string instance, VrrpRole to, TransitionCause cause) =>
        _transitions.WithLabels(instance, to.ToString().ToLowerInvariant(), cause.ToString()).Inc();

    public void Sent(string instance) => _sent.WithLabels(instance).Inc();

    public void Received(string instance) => _received.WithLabels(instance).Inc();

    public void Dropped(string instance, DropReason reason) => _drops.WithLabels(instance, reason.ToString()).Inc();

    public void AddressMismatch(string instance) => _mismatch.WithLabels(instance).Inc();

    public void Priority(string instance, byte priority) => _priority.WithLabels(instance).Set(priority);

    public void Tracker(string instance, string tracker, bool healthy) => _tracker.WithLabels(instance, tracker).Set(healthy ? 1 : 0);

    public void Announced(string instance, int count) => _garps.WithLabels(instance).Inc(count);

    public void NotifyFailed(string instance) => _notifyFailures.WithLabels(instance).Inc();
}
