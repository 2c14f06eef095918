using System.Net;
using System.Net.Sockets;
using VipDaemon.Core.Packets;

namespace VipDaemon.Net;

/// <summary>A received VRRP message: where it sits in the buffer, who sent it to whom, and its TTL / hop limit.</summary>
internal readonly record struct ReceivedPacket(int Offset, int Length, IPAddress Source, IPAddress Destination, int HopLimit);

/// <summary>
/// A raw protocol-112 socket bound to one interface. IPv4: multicast to 224.0.0.18 (joined on that interface, TTL 255,
/// TOS 0xc0 as keepalived) or unicast to peers; reads return the IP header, so TTL is checked in user space. IPv6:
/// multicast to ff02::12 or unicast, hop limit 255, the checksum computed and verified by the kernel over the IPv6
/// pseudo-header (IPV6_CHECKSUM, as keepalived), hop limit and destination read from ancillary data.
/// Not bound to an address: a bound raw socket would miss the multicast adverts (reference/vrrp.md §5).
/// </summary>
internal sealed class VrrpSocket : IDisposable
{
    public static readonly IPAddress Group = IPAddress.Parse("224.0.0.18");
    public static readonly IPAddress Group6 = IPAddress.Parse("ff02::12");

    private readonly Socket _socket;

    private VrrpSocket(Socket socket, string interfaceName, int interfaceIndex)
    {
        _socket = socket;
        InterfaceName = interfaceName;
        InterfaceIndex = interfaceIndex;
    }

    public string InterfaceName { get; }

    public bool IsIpv6 => _socket.AddressFamily == AddressFamily.InterNetworkV6;

    public IPAddress MulticastGroup => IsIpv6 ? Group6 : Group;

    public int InterfaceIndex { get; }

    public static VrrpSocket OpenIpv4(string interfaceName, int interfaceIndex)
    {
        var fd = Libc.socket(Libc.AfInet, Libc.SockRaw | Libc.SockCloexec, 112);
        if (fd < 0)
        {
            throw new InvalidOperationException($"cannot open a raw IP protocol 112 socket: {Libc.LastError()} (vipd needs CAP_NET_RAW and CAP_NET_ADMIN, usually root)");
        }

        var socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
        try
        {
            socket.SetRawSocketOption(Libc.SolSocket, Libc.SoBindToDevice, System.Text.Encoding.ASCII.GetBytes(interfaceName + "\0"));
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, 255);
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.IpTimeToLive, 255);
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.TypeOfService, 0xc0);
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, IPAddress.HostToNetworkOrder(interfaceIndex));
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, false);
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(Group, interfaceIndex));
            socket.ReceiveBufferSize = 256 * 1024;
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new VrrpSocket(socket, interfaceName, interfaceIndex);
    }

    public static VrrpSocket OpenIpv6(string interfaceName, int interfaceIndex)
    {
        var fd = Libc.socket(Libc.AfInet6, Libc.SockRaw | Libc.SockCloexec, 112);
        if (fd < 0)
        {
            throw new InvalidOperationException($"cannot open a raw IPv6 protocol 112 socket: {Libc.LastError()} (vipd needs CAP_NET_RAW and CAP_NET_ADMIN, usually root)");
        }

        var socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true)) { Blocking = true };
        try
        {
            socket.SetRawSocketOption(Libc.SolSocket, Libc.SoBindToDevice, System.Text.Encoding.ASCII.GetBytes(interfaceName + "\0"));
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastTimeToLive, 255);
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.IpTimeToLive, 255);
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastInterface, interfaceIndex);
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastLoopback, false);
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.AddMembership, new IPv6MulticastOption(Group6, interfaceIndex));
            socket.SetRawSocketOption(Ipv6Receive.IpProtoIpv6, Ipv6Receive.Ipv6Checksum, BitConverter.GetBytes(6));
            socket.SetRawSocketOption(Ipv6Receive.IpProtoIpv6, Ipv6Receive.Ipv6RecvHopLimit, BitConverter.GetBytes(1));
            socket.SetRawSocketOption(Ipv6Receive.IpProtoIpv6, Ipv6Receive.Ipv6RecvPktInfo, BitConverter.GetBytes(1));
            socket.ReceiveBufferSize = 256 * 1024;
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new VrrpSocket(socket, interfaceName, interfaceIndex);
    }

    /// <summary>
    /// Blocks until a packet arrives. False when the socket is closed; otherwise the packet, or (IPv4) a drop reason
    /// for a malformed IP header.
    /// </summary>
    public bool Receive(byte[] buffer, out ReceivedPacket? packet, out DropReason? reason)
    {
        packet = null;
        reason = null;
        if (IsIpv6)
        {
            int n6;
            IPAddress source, destination;
            int hopLimit;
            try
            {
                n6 = Ipv6Receive.Receive(_socket.SafeHandle.DangerousGetHandle(), buffer, out source, out destination, out hopLimit);
            }
            catch (ObjectDisposedException)
            {
                return false;
            }

            if (n6 <= 0)
            {
                return !_socket.SafeHandle.IsClosed; // closed: stop; an interrupted call: try again
            }

            packet = new ReceivedPacket(0, n6, source, destination, hopLimit);
            return true;
        }

        var n = Receive(buffer);
        if (n <= 0)
        {
            return false;
        }

        if (Ipv4Header.TryParse(buffer.AsSpan(0, n), out var ip, out var bad))
        {
            packet = new ReceivedPacket(ip.HeaderLength, ip.TotalLength - ip.HeaderLength, ip.Source, ip.Destination, ip.Ttl);
        }
        else
        {
            reason = bad;
        }

        return true;
    }

    public void Send(ReadOnlySpan<byte> message, IPAddress destination) => _socket.SendTo(message, SocketFlags.None, new IPEndPoint(destination, 0));

    /// <summary>Blocks until a packet arrives (IP header included); returns its length, or 0 when the socket is closed.</summary>
    public int Receive(Span<byte> buffer)
    {
        try
        {
            return _socket.Receive(buffer);
        }
        catch (SocketException) when (_socket.SafeHandle.IsClosed)
        {
            return 0;
        }
        catch (ObjectDisposedException)
        {
            return 0;
        }
    }

    public void Dispose() => _socket.Dispose();
}
