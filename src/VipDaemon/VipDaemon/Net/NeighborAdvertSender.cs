using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using VipDaemon.Core.Packets;

namespace VipDaemon.Net;

/// <summary>
/// Unsolicited Neighbor Advertisements for IPv6 virtual addresses, to all-nodes ff02::1 with hop limit 255 (receivers
/// drop NAs with any other), from a raw ICMPv6 socket bound to the interface; the kernel computes the checksum.
/// </summary>
internal sealed class NeighborAdvertSender : IDisposable
{
    private static readonly IPEndPoint AllNodes = new(IPAddress.Parse("ff02::1"), 0);
    private readonly Socket _socket;
    private readonly byte[] _mac;

    public NeighborAdvertSender(string interfaceName, int interfaceIndex, PhysicalAddress mac)
    {
        _mac = mac.GetAddressBytes();
        _socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Raw, ProtocolType.IcmpV6);
        try
        {
            _socket.SetRawSocketOption(Libc.SolSocket, Libc.SoBindToDevice, System.Text.Encoding.ASCII.GetBytes(interfaceName + "\0"));
            _socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastTimeToLive, 255);
            _socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastInterface, interfaceIndex);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
    }

    public void Send(IPAddress address)
    {
        Span<byte> message = stackalloc byte[NeighborAdvert.Length];
        NeighborAdvert.Write(message, address, _mac);
        _socket.SendTo(message, SocketFlags.None, AllNodes);
    }

    public void Dispose() => _socket.Dispose();
}
