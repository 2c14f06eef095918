using System.Buffers.Binary;
using System.Net.Sockets;
using VipDaemon.Core.Config;

namespace VipDaemon.Core.Netlink;

/// <summary>
/// rtnetlink messages that add or delete an interface address (<c>RTM_NEWADDR</c> / <c>RTM_DELADDR</c>, what
/// <c>ip addr add|del</c> sends), and the kernel's acknowledgement. Layout (host byte order, 4-byte aligned):
/// <code>
/// nlmsghdr   len u32 | type u16 | flags u16 | seq u32 | pid u32                     16 bytes
/// ifaddrmsg  family u8 | prefixlen u8 | flags u8 | scope u8 | index u32              8 bytes
/// rtattr     len u16 | type u16 | address (4 or 16 bytes)   IFA_LOCAL, then IFA_ADDRESS
/// </code>
/// </summary>
public static class AddressMessage
{
    public const ushort NewAddress = 20;
    public const ushort DeleteAddress = 21;
    public const ushort Error = 2;
    private const ushort Request = 0x1, Ack = 0x4, Replace = 0x100, Create = 0x400;
    private const ushort IfaAddress = 1, IfaLocal = 2;
    private const byte NoDad = 0x02;

    /// <summary>Builds an add (idempotent: create or replace) or delete request for <paramref name="address"/>.</summary>
    public static byte[] Build(bool add, int interfaceIndex, VirtualAddress address, uint sequence)
    {
        var v6 = address.Address.AddressFamily == AddressFamily.InterNetworkV6;
        var length = v6 ? 16 : 4;
        var attribute = 4 + length;
        var total = 16 + 8 + (2 * attribute);
        var message = new byte[total];
        var span = message.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)total);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], add ? NewAddress : DeleteAddress);
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], (ushort)(Request | Ack | (add ? Create | Replace : 0)));
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], sequence);
        span[16] = v6 ? (byte)10 : (byte)2; // AF_INET6 / AF_INET
        span[17] = (byte)address.PrefixLength;
        span[18] = v6 ? NoDad : (byte)0; // a virtual address must not wait for (or fail) duplicate address detection
        span[19] = 0; // RT_SCOPE_UNIVERSE
        BinaryPrimitives.WriteUInt32LittleEndian(span[20..], (uint)interfaceIndex);
        var offset = 24;
        foreach (var type in (ReadOnlySpan<ushort>)[IfaLocal, IfaAddress])
        {
            BinaryPrimitives.WriteUInt16LittleEndian(span[offset..], (ushort)attribute);
            BinaryPrimitives.WriteUInt16LittleEndian(span[(offset + 2)..], type);
            address.Address.TryWriteBytes(span[(offset + 4)..], out _);
            offset += attribute;
        }

        return message;
    }

    /// <summary>
    /// Reads the kernel's answer: <c>NLMSG_ERROR</c> with 0 (done) or a negative errno, for the given sequence.
    /// False with a reason when the bytes are not such an answer.
    /// </summary>
    public static bool TryReadAck(ReadOnlySpan<byte> reply, uint sequence, out int errno, out string problem)
    {
        errno = 0;
        problem = "";
        if (reply.Length < 20)
        {
            problem = $"netlink reply of {reply.Length} bytes is too short";
            return false;
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(reply);
        var type = BinaryPrimitives.ReadUInt16LittleEndian(reply[4..]);
        var seq = BinaryPrimitives.ReadUInt32LittleEndian(reply[8..]);
        if (length > reply.Length || length < 20 || type != Error || seq != sequence)
        {
            problem = $"unexpected netlink reply (type {type}, seq {seq}, length {length})";
            return false;
        }

        errno = -BinaryPrimitives.ReadInt32LittleEndian(reply[16..]);
        return true;
    }
}
