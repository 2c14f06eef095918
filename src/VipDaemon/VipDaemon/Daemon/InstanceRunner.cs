using System.Net;
using System.Net.Sockets;
using VipDaemon.Core.Config;
using VipDaemon.Core.Health;
using VipDaemon.Core.Protocol;
using VipDaemon.Net;

namespace VipDaemon.Daemon;

/// <summary>
/// One VRRP instance: a protocol thread that runs the timers, tracker results and shutdown through the pure state
/// machine, a receive thread that steps the machine itself for each advert (under the same lock: one wake-up per
/// advert instead of two, which is most of an idle backup's CPU at 20 ms adverts), and tracker tasks. Nothing slow
/// runs under the lock: announcements repeat on a timer task, notify hooks on the notifier's.
/// </summary>
internal sealed partial class InstanceRunner : IAsyncDisposable
{
    private readonly InstanceSettings _settings;
    private readonly InstanceConfig _config;
    private readonly InterfaceInfo _interface;
    private readonly VrrpSocket _socket;
    private readonly GratuitousArp? _arp;
    private readonly NeighborAdvertSender? _na;
    private readonly bool _ipv6;
    private readonly Notifier _notifier;
    private readonly VipdMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _origin;
    private readonly Inbox _inbox = new(4096);
    private readonly Thread _protocol;
    private readonly Thread _receiver;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TrackerState[] _trackers;
    private readonly List<Task> _trackerTasks = [];
    private readonly IPAddress[] _destinations;
    private readonly object _stepGate = new();
    private Task? _disposal;
    private bool _shutDown;
    private CancellationTokenSource? _announcing;
    private bool _sleeping;
    private TimeSpan? _sleepingUntil;
    private VrrpState _state;
    private volatile InstanceStatus _status;

    public InstanceRunner(InstanceSettings settings, InterfaceInfo iface, Notifier notifier, VipdMetrics metrics, TimeProvider time, ILogger logger)
    {
        _settings = settings;
        _interface = iface;
        _notifier = notifier;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _origin = time.GetTimestamp();
        _ipv6 = settings.Addresses[0].Address.AddressFamily == AddressFamily.InterNetworkV6;
        var primary = settings.UnicastSource ?? (_ipv6 ? iface.LinkLocalIpv6 : iface.PrimaryIpv4)
            ?? throw new InvalidOperationException($"instance {settings.Name}: interface {iface.Name} has no {(_ipv6 ? "IPv6 link-local" : "IPv4")} address of its own to send from");
        _config = new InstanceConfig(settings.Name, settings.Vrid, settings.Version, settings.Priority, settings.AdvertIntervalCentiseconds, primary, [.. settings.Addresses.Select(a => a.Address)])
        {
            Preempt = settings.Preempt,
            PreemptDelay = settings.PreemptDelay,
            AcceptMode = settings.Accept,
        };
        _destinations = settings.UnicastPeers.Count > 0 ? [.. settings.UnicastPeers] : [_ipv6 ? VrrpSocket.Group6 : VrrpSocket.Group];
        // The instance's own interface is always tracked with weight 0, as keepalived does: no carrier, no mastership.
        var trackers = settings.Trackers.Any(t => t.Kind == TrackerKind.Interface && t.Interface == iface.Name)
            ? settings.Trackers
            : [.. settings.Trackers, new TrackerSettings(iface.Name, TrackerKind.Interface, 0) { Interface = iface.Name }];
        _trackers = [.. trackers.Select(TrackerState.Initial)];
        _state = VrrpState.Initial(_config);
        _status = new InstanceStatus(settings.Name, _state.Role, _state.EffectivePriority, null, null);
        _socket = _ipv6 ? VrrpSocket.OpenIpv6(iface.Name, iface.Index) : VrrpSocket.OpenIpv4(iface.Name, iface.Index);
        if (_ipv6)
        {
            _na = new NeighborAdvertSender(iface.Name, iface.Index, iface.Mac);
        }
        else
        {
            _arp = new GratuitousArp(iface.Index, iface.Mac);
        }
        _protocol = new Thread(ProtocolLoop) { IsBackground = true, Name = $"vrrp {settings.Name}", Priority = ThreadPriority.AboveNormal };
        _receiver = new Thread(ReceiveLoop) { IsBackground = true, Name = $"vrrp-rx {settings.Name}" };
    }

    public InstanceSettings Settings => _settings;

    public InstanceStatus Status => _status;

    public void Start()
    {
        foreach (var t in _trackers)
        {
            _metrics.Tracker(_settings.Name, t.Settings.Name, t.Healthy);
        }

        var (priority, fault) = PriorityCalculator.Compute(_settings.Priority, _trackers);
        _state = _state with { EffectivePriority = priority, Faulted = fault };
        WarmStopPath();
        _protocol.Start();
        _receiver.Start();
        _inbox.TryAdd(new VrrpEvent.Startup());
        for (var i = 0; i < _trackers.Length; i++)
        {
            _trackerTasks.Add(TrackerChecks.RunAsync(_trackers[i].Settings, i, OnTrackerResult, _time, _stopping.Token));
        }
    }

    /// <summary>
    /// SIGTERM: the priority-0 advert goes out and the addresses are removed on the calling thread, at once (handing
    /// the shutdown to the protocol thread cost ~12 ms of thread hops, measured with strace, which the backups spent
    /// waiting); then the threads stop. Every caller awaits the one stop.
    /// </summary>
    public ValueTask DisposeAsync()
    {
        lock (_stepGate)
        {
            if (_disposal is null)
            {
                Step(new VrrpEvent.Shutdown());
                _shutDown = true;
                _disposal = Task.Run(StopThreadsAsync);
            }
        }

        return new ValueTask(_disposal);
    }

    /// <summary>
    /// SIGTERM runs the stop on a thread .NET creates for the signal, and its first run compiled the code on the way to
    /// the priority-0 advert. Compile it now: the pure machine is stepped through a stop as master (no effects), and
    /// the host's own methods are prepared without running. The Native AOT build has nothing to compile (and keeps no
    /// reflection data for these methods: GetMethod returns null there).
    /// </summary>
    private void WarmStopPath()
    {
        if (!System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeCompiled)
        {
            return;
        }

        _ = VrrpMachine.Step(_config, _state with { Role = VrrpRole.Master, AdverAt = Now }, new VrrpEvent.Shutdown(), Now);
        foreach (var name in new[] { nameof(DisposeAsync), nameof(Step), nameof(Execute) })
        {
            System.Runtime.CompilerServices.RuntimeHelpers.PrepareMethod(
                typeof(InstanceRunner).GetMethod(name, System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic)!.MethodHandle);
        }
    }

    private async Task StopThreadsAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _inbox.Wake();
        _protocol.Join(TimeSpan.FromSeconds(5));
        _socket.Dispose();
        _receiver.Join(TimeSpan.FromSeconds(2));
        _arp?.Dispose();
        _na?.Dispose();
        await Task.WhenAll(_trackerTasks).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        _inbox.Dispose();
    }

    private TimeSpan Now => _time.GetElapsedTime(_origin);

    private void OnTrackerResult(int index, bool ok) => _inbox.TryAdd((Action)(() => ApplyTracker(index, ok)));

    private void ApplyTracker(int index, bool ok)
    {
        var (tracker, changed) = _trackers[index].Observe(ok);
        _trackers[index] = tracker;
        if (!changed)
        {
            return;
        }

        _metrics.Tracker(_settings.Name, tracker.Settings.Name, tracker.Healthy);
        var (priority, fault) = PriorityCalculator.Compute(_settings.Priority, _trackers);
        LogTracker(_logger, _settings.Name, tracker.Settings.Name, tracker.Healthy ? "healthy" : "failed", priority, fault);
        Step(new VrrpEvent.PriorityChanged(priority, fault));
    }

    private void ProtocolLoop()
    {
        while (true)
        {
            TimeSpan? wait;
            lock (_stepGate)
            {
                if (_shutDown)
                {
                    return;
                }

                var deadline = _state.NextDeadline;
                (_sleeping, _sleepingUntil) = (true, deadline);
                wait = deadline - Now;
            }

            var taken = _inbox.TryTake(out var item, wait);
            lock (_stepGate)
            {
                _sleeping = false;
                if (_shutDown)
                {
                    return;
                }

                switch (taken ? item : null)
                {
                    case VrrpEvent e:
                        Step(e);
                        break;
                    case Action work:
                        work();
                        break;
                }

                if (_state.NextDeadline is { } due && due <= Now)
                {
                    Step(new VrrpEvent.Tick());
                }
            }
        }
    }

    /// <summary>An event from another thread (the receiver): stepped at once; the protocol thread is woken only if
    /// the machine now needs it earlier than it planned to wake.</summary>
    private void StepFromReceiver(VrrpEvent e)
    {
        lock (_stepGate)
        {
            if (_shutDown)
            {
                return; // stopped: an advert arriving now must not start an election
            }

            Step(e);
            var earlier = _sleeping && _state.NextDeadline is { } next && (_sleepingUntil is not { } planned || next < planned);
            if (!earlier)
            {
                return;
            }
        }

        _inbox.Wake();
    }

    private void Step(VrrpEvent e)
    {
        var (state, actions) = VrrpMachine.Step(_config, _state, e, Now);
        _state = state;
        foreach (var action in actions)
        {
            try
            {
                Execute(action);
            }
            catch (Exception ex) when (ex is InvalidOperationException or SocketException or IOException)
            {
                LogActionFailed(_logger, _settings.Name, action.GetType().Name, ex.Message);
            }
        }

        _metrics.Priority(_settings.Name, state.EffectivePriority);
        _status = new InstanceStatus(_settings.Name, state.Role, state.EffectivePriority, state.MasterAddress?.ToString(), _status.LastAdvert);
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "{Instance}: {From} -> {To} ({Cause}), priority {Priority}")]
    private static partial void LogTransition(ILogger logger, string instance, VrrpRole from, VrrpRole to, TransitionCause cause, byte priority);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "{Instance}: tracker {Tracker} {Health}; priority {Priority}, fault {Fault}")]
    private static partial void LogTracker(ILogger logger, string instance, string tracker, string health, byte priority, bool fault);

    [LoggerMessage(EventId = 12, Level = LogLevel.Error, Message = "{Instance}: {Action} failed: {Reason}")]
    private static partial void LogActionFailed(ILogger logger, string instance, string action, string reason);
}

/// <summary>What /status shows of an instance.</summary>
internal sealed record InstanceStatus(string Name, VrrpRole State, byte Priority, string? Master, string? LastAdvert);
