using System.Net;
using VipDaemon.Core.Packets;

namespace VipDaemon.Core.Config;

/// <summary>A validated vipd configuration. Built only by <see cref="ConfigReader"/>, which reports every error with its path.</summary>
public sealed record VipdConfig(IPEndPoint Admin, IReadOnlyList<InstanceSettings> Instances);

/// <summary>A virtual address with its prefix length, as it is added to the interface.</summary>
public sealed record VirtualAddress(IPAddress Address, int PrefixLength)
{
    public override string ToString() => $"{Address}/{PrefixLength}";
}

public sealed record InstanceSettings(
    string Name,
    string Interface,
    byte Vrid,
    int Version,
    byte Priority,
    int AdvertIntervalCentiseconds,
    IReadOnlyList<VirtualAddress> Addresses)
{
    public bool Preempt { get; init; } = true;

    public TimeSpan PreemptDelay { get; init; }

    public bool Accept { get; init; } = true;

    public V3Checksum Checksum { get; init; } = V3Checksum.PseudoHeader;

    /// <summary>Unicast source address; null = the interface's primary address.</summary>
    public IPAddress? UnicastSource { get; init; }

    /// <summary>Unicast peers; empty = multicast (224.0.0.18 / ff02::12).</summary>
    public IReadOnlyList<IPAddress> UnicastPeers { get; init; } = [];

    public GarpSettings Garp { get; init; } = new();

    public IReadOnlyList<TrackerSettings> Trackers { get; init; } = [];

    public NotifySettings? Notify { get; init; }

    public bool IsIpv6 => Addresses.Count > 0 && Addresses[0].Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
}

/// <summary>Gratuitous ARP / unsolicited NA on becoming master: <see cref="Count"/> sends <see cref="Interval"/> apart, again every <see cref="Refresh"/> while master (0 = never).</summary>
public sealed record GarpSettings
{
    public int Count { get; init; } = 5;

    public TimeSpan Interval { get; init; } = TimeSpan.FromMilliseconds(10);

    public TimeSpan Refresh { get; init; }
}

public enum TrackerKind
{
    Interface,
    Http,
    Exec,
}

/// <summary>
/// A health tracker. Weight 0: failure forces FAULT. Positive weight: added to the priority while healthy.
/// Negative weight: subtracted while failing (keepalived's semantics).
/// </summary>
public sealed record TrackerSettings(string Name, TrackerKind Kind, int Weight)
{
    public string? Interface { get; init; }

    public Uri? Url { get; init; }

    public IReadOnlyList<string> Command { get; init; } = [];

    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    public int Rise { get; init; } = 1;

    public int Fall { get; init; } = 1;
}

/// <summary>An executable called as keepalived's generic notify: <c>INSTANCE NAME STATE PRIORITY</c>.</summary>
public sealed record NotifySettings(string Command, TimeSpan Timeout);
