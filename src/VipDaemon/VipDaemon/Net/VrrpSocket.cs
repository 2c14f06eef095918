using System.Net;
using System.Net.Sockets;

namespace VipDaemon.Net;

/// <summary>
/// A raw IPv4 protocol-112 socket bound to one interface: multicast to 224.0.0.18 (joined on that interface,
/// TTL 255, TOS 0xc0 as keepalived) or unicast to peers. Reads return the IP header, so TTL is checked in user space.
/// Not bound to an address: a bound raw socket would miss the multicast adverts (reference/vrrp.md §5).
/// </summary>
internal sealed class VrrpSocket : IDisposable
{
    public static readonly IPAddress Group = IPAddress.Parse("224.0.0.18");

    private readonly Socket _socket;

    private VrrpSocket(Socket socket, string interfaceName, int interfaceIndex)
    {
        _socket = socket;
        InterfaceName = interfaceName;
        InterfaceIndex = interfaceIndex;
    }

    public string InterfaceName { get; }

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
