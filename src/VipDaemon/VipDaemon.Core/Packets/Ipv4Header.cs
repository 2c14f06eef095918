using System.Buffers.Binary;
using System.Net;

namespace VipDaemon.Core.Packets;

/// <summary>The fields of an IPv4 header that VRRP receive checks need (a raw IPv4 socket hands us the header).</summary>
public readonly record struct Ipv4Header(int HeaderLength, int TotalLength, byte Ttl, byte Protocol, IPAddress Source, IPAddress Destination)
{
    public static bool TryParse(ReadOnlySpan<byte> packet, out Ipv4Header header, out DropReason reason)
    {
        header = default;
        if (packet.Length < 20 || packet[0] >> 4 != 4)
        {
            reason = DropReason.TooShort;
            return false;
        }

        var ihl = (packet[0] & 0x0F) * 4;
        var total = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        if (ihl < 20 || packet.Length < ihl || total < ihl || total > packet.Length)
        {
            reason = DropReason.LengthMismatch;
            return false;
        }

        if (packet[9] != VrrpCodec.ProtocolNumber)
        {
            reason = DropReason.NotVrrp;
            return false;
        }

        header = new Ipv4Header(ihl, total, packet[8], packet[9], new IPAddress(packet.Slice(12, 4)), new IPAddress(packet.Slice(16, 4)));
        reason = DropReason.None;
        return true;
    }
}
