using System.Net;

namespace VipDaemon.Core.Protocol;

public enum VrrpRole
{
    Initialize,
    Backup,
    Master,
    Fault,
}

/// <summary>
/// The whole state of one instance between events. Deadlines are monotonic times (elapsed since an arbitrary
/// origin, from the host's <c>TimeProvider</c>).
/// </summary>
public sealed record VrrpState(
    VrrpRole Role,
    byte EffectivePriority,
    bool Faulted,
    int MasterAdverIntervalCentiseconds,
    TimeSpan? MasterDownAt,
    TimeSpan? AdverAt,
    IPAddress? MasterAddress,
    byte MasterPriority,
    TimeSpan StartedAt,
    TimeSpan? LowerPriorityMasterSince)
{
    /// <summary>The master announced it is stopping (priority 0): the coming takeover is a hand-over, not a timeout.</summary>
    public bool MasterStopping { get; init; }

    public static VrrpState Initial(InstanceConfig config) =>
        new(VrrpRole.Initialize, config.Priority, false, config.AdvertIntervalCentiseconds, null, null, null, 0, TimeSpan.Zero, null);

    /// <summary>When the host must call back with a <see cref="VrrpEvent.Tick"/>, if ever.</summary>
    public TimeSpan? NextDeadline => (MasterDownAt, AdverAt) switch
    {
        ({ } down, { } adver) => down < adver ? down : adver,
        ({ } down, null) => down,
        (null, { } adver) => adver,
        _ => null,
    };
}

/// <summary>What can happen to an instance.</summary>
public abstract record VrrpEvent
{
    public sealed record Startup : VrrpEvent;

    public sealed record Shutdown : VrrpEvent;

    /// <summary>A timer deadline passed.</summary>
    public sealed record Tick : VrrpEvent;

    /// <summary>A valid advertisement for this instance's VRID from <paramref name="Source"/> (not our own).</summary>
    public sealed record AdvertReceived(Packets.Advertisement Advertisement, IPAddress Source) : VrrpEvent;

    /// <summary>Trackers changed the effective priority, or a weight-0 tracker failed (<paramref name="Fault"/>).</summary>
    public sealed record PriorityChanged(byte EffectivePriority, bool Fault) : VrrpEvent;
}

/// <summary>What the host must do, in order.</summary>
public abstract record VrrpAction
{
    public sealed record SendAdvert(byte Priority) : VrrpAction;

    public sealed record AddAddresses : VrrpAction;

    public sealed record RemoveAddresses : VrrpAction;

    /// <summary>Gratuitous ARP (IPv4) / unsolicited Neighbor Advertisement (IPv6) for every virtual address.</summary>
    public sealed record Announce : VrrpAction;

    public sealed record Transition(VrrpRole From, VrrpRole To, TransitionCause Cause) : VrrpAction;
}

public enum TransitionCause
{
    Startup,
    AddressOwner,
    MasterDownTimer,
    Preempted,
    HigherPriorityAdvert,
    PriorityZeroAdvert,
    Tracker,
    Shutdown,
}
