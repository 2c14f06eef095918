using System.Net;

namespace VipDaemon.Core.Packets;

/// <summary>
/// A VRRP advertisement as it travels: version 2 (RFC 3768, IPv4, interval in whole seconds, an auth type) or
/// version 3 (RFC 5798, IPv4 or IPv6, interval in centiseconds).
/// </summary>
public sealed record Advertisement(
    int Version,
    byte Vrid,
    byte Priority,
    IReadOnlyList<IPAddress> Addresses,
    int IntervalCentiseconds,
    byte AuthType = 0)
{
    public const byte TypeAdvertisement = 1;

    public bool Equals(Advertisement? other) =>
        other is not null && Version == other.Version && Vrid == other.Vrid && Priority == other.Priority &&
        IntervalCentiseconds == other.IntervalCentiseconds && AuthType == other.AuthType && Addresses.SequenceEqual(other.Addresses);

    public override int GetHashCode() => HashCode.Combine(Version, Vrid, Priority, IntervalCentiseconds, Addresses.Count);
}

/// <summary>How a VRRPv3 checksum over IPv4 is formed; both are in the field (reference/vrrp.md §3.3).</summary>
public enum V3Checksum
{
    /// <summary>With the IPv4 pseudo-header: keepalived (default), FRR, tcpdump, Wireshark.</summary>
    PseudoHeader,

    /// <summary>Over the VRRP message only, as v2: RFC 9568, Cisco, Juniper, Arista.</summary>
    MessageOnly,
}

/// <summary>Why a received packet was dropped; one counter each.</summary>
public enum DropReason
{
    None,
    TooShort,
    NotVrrp,
    TtlNot255,
    BadVersion,
    BadType,
    LengthMismatch,
    BadChecksum,
    UnknownVrid,
    OwnerIgnores,
    IntervalMismatch,
    AuthMismatch,
    UnexpectedSource,
    OwnPacket,
}
