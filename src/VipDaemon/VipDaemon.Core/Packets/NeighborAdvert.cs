using System.Net;
using System.Net.Sockets;

namespace VipDaemon.Core.Packets;

/// <summary>
/// The unsolicited Neighbor Advertisement (RFC 4861 §4.4, §7.2.6) a new IPv6 master sends for each virtual address,
/// the IPv6 counterpart of gratuitous ARP: ICMPv6 type 136, Override flag, the target address and a Target
/// Link-Layer Address option with our MAC. The checksum is left 0: the kernel fills it on raw ICMPv6 sockets.
/// </summary>
public static class NeighborAdvert
{
    public const int Length = 32;

    public static void Write(Span<byte> buffer, IPAddress target, ReadOnlySpan<byte> mac)
    {
        if (target.AddressFamily != AddressFamily.InterNetworkV6 || mac.Length != 6 || buffer.Length < Length)
        {
            throw new ArgumentException("an IPv6 target, a 6-byte MAC and 32 bytes of buffer are needed");
        }

        buffer[..Length].Clear();
        buffer[0] = 136;   // Neighbor Advertisement
        buffer[4] = 0x20;  // flags: Override (not Router, not Solicited)
        target.TryWriteBytes(buffer[8..24], out _);
        buffer[24] = 2;    // option: Target Link-Layer Address
        buffer[25] = 1;    // length in units of 8 bytes
        mac.CopyTo(buffer[26..32]);
    }
}
