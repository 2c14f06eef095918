using System.Buffers.Binary;
using System.Net;
using System.Runtime.InteropServices;

namespace VipDaemon.Net;

/// <summary>
/// recvmsg on a raw IPv6 socket: the message (no IP header on IPv6 raw sockets), the sender from msg_name, and the
/// hop limit and destination from ancillary data (IPV6_HOPLIMIT, IPV6_PKTINFO), which .NET's ReceiveMessageFrom does
/// not surface. The hop limit is how VRRP proves the sender is on-link (it must be 255).
/// </summary>
internal static unsafe partial class Ipv6Receive
{
    public const int IpProtoIpv6 = 41;
    public const int Ipv6Checksum = 7;
    public const int Ipv6RecvPktInfo = 49;
    public const int Ipv6PktInfo = 50;
    public const int Ipv6RecvHopLimit = 51;
    public const int Ipv6HopLimit = 52;

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public byte* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public byte* Control;
        public nuint ControlLength;
        public int Flags;
    }

    /// <summary>Blocks for one message; its length (0 when the socket is closed), sender, destination and hop limit.</summary>
    public static int Receive(nint fd, Span<byte> buffer, out IPAddress source, out IPAddress destination, out int hopLimit)
    {
        source = IPAddress.IPv6None;
        destination = IPAddress.IPv6None;
        hopLimit = -1;
        var name = stackalloc byte[28];   // sockaddr_in6
        var control = stackalloc byte[128];
        fixed (byte* data = buffer)
        {
            var iov = new IoVec { Base = data, Length = (nuint)buffer.Length };
            var msg = new MsgHdr { Name = name, NameLength = 28, Iov = &iov, IovLength = 1, Control = control, ControlLength = 128 };
            var n = recvmsg((int)fd, &msg, 0);
            if (n <= 0)
            {
                return 0;
            }

            source = new IPAddress(new ReadOnlySpan<byte>(name + 8, 16));
            var controlBytes = new ReadOnlySpan<byte>(control, (int)msg.ControlLength);
            while (controlBytes.Length >= 16)
            {
                var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(controlBytes);
                var level = BinaryPrimitives.ReadInt32LittleEndian(controlBytes[8..]);
                var type = BinaryPrimitives.ReadInt32LittleEndian(controlBytes[12..]);
                if (length < 16 || length > controlBytes.Length)
                {
                    break;
                }

                var payload = controlBytes[16..length];
                if (level == IpProtoIpv6 && type == Ipv6HopLimit && payload.Length >= 4)
                {
                    hopLimit = BinaryPrimitives.ReadInt32LittleEndian(payload);
                }
                else if (level == IpProtoIpv6 && type == Ipv6PktInfo && payload.Length >= 20)
                {
                    destination = new IPAddress(payload[..16]);
                }

                var aligned = (length + 7) & ~7;
                controlBytes = aligned >= controlBytes.Length ? [] : controlBytes[aligned..];
            }

            return (int)n;
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recvmsg(int fd, MsgHdr* message, int flags);
}
