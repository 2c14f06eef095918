using System.Net;

namespace VipDaemon.Core.Protocol;

/// <summary>What the state machine needs of one configured VRRP instance.</summary>
public sealed record InstanceConfig(
    string Name,
    byte Vrid,
    int Version,
    byte Priority,
    int AdvertIntervalCentiseconds,
    IPAddress PrimaryAddress,
    IReadOnlyList<IPAddress> VirtualAddresses)
{
    /// <summary>RFC Preempt_Mode: a higher-priority backup takes over from a lower-priority master (default on).</summary>
    public bool Preempt { get; init; } = true;

    /// <summary>keepalived's preempt_delay: time after start-up or after first hearing a lower-priority master before preempting it.</summary>
    public TimeSpan PreemptDelay { get; init; }

    /// <summary>RFC Accept_Mode: a non-owner master accepts packets addressed to the virtual addresses (default on, as keepalived).</summary>
    public bool AcceptMode { get; init; } = true;

    /// <summary>Priority 255: this router owns the virtual addresses.</summary>
    public bool IsOwner => Priority == 255;

    public TimeSpan AdvertInterval => TimeSpan.FromMilliseconds(AdvertIntervalCentiseconds * 10.0);
}
