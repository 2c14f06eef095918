using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;

namespace VipDaemon.Net;

/// <summary>
/// Gratuitous ARP ("who-has VIP tell VIP", broadcast, as keepalived sends it) through an AF_PACKET datagram socket:
/// the kernel adds the Ethernet header from the link-layer address we pass.
/// </summary>
internal sealed class GratuitousArp : IDisposable
{
    private readonly int _fd;
    private readonly int _interfaceIndex;
    private readonly byte[] _mac;

    public GratuitousArp(int interfaceIndex, PhysicalAddress mac)
    {
        _interfaceIndex = interfaceIndex;
        _mac = mac.GetAddressBytes();
        _fd = Libc.socket(Libc.AfPacket, Libc.SockDgram | Libc.SockCloexec, IPAddress.HostToNetworkOrder((short)Libc.EthPArp));
        if (_fd < 0)
        {
            throw new InvalidOperationException($"cannot open an AF_PACKET socket for gratuitous ARP: {Libc.LastError()}");
        }
    }

    public unsafe void Send(IPAddress address)
    {
        Span<byte> arp = stackalloc byte[28];
        BinaryPrimitives.WriteUInt16BigEndian(arp, 1);          // Ethernet
        BinaryPrimitives.WriteUInt16BigEndian(arp[2..], 0x0800); // IPv4
        arp[4] = 6;
        arp[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(arp[6..], 1);      // request
        _mac.CopyTo(arp[8..]);
        address.TryWriteBytes(arp[14..], out _);
        arp[18..24].Clear();
        address.TryWriteBytes(arp[24..], out _);

        Span<byte> sll = stackalloc byte[20];
        sll.Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(sll, Libc.AfPacket);
        BinaryPrimitives.WriteUInt16BigEndian(sll[2..], Libc.EthPArp);
        BinaryPrimitives.WriteInt32LittleEndian(sll[4..], _interfaceIndex);
        sll[11] = 6;
        sll[12..18].Fill(0xff);
        fixed (byte* a = arp)
        fixed (byte* s = sll)
        {
            if (Libc.sendto(_fd, a, (nuint)arp.Length, 0, s, (uint)sll.Length) < 0)
            {
                throw new InvalidOperationException($"gratuitous ARP for {address} failed: {Libc.LastError()}");
            }
        }
    }

    public void Dispose() => Libc.close(_fd);
}
