using System.Buffers.Binary;

namespace VipDaemon.Core.Packets;

/// <summary>The 16-bit one's-complement sum of IP, ICMP and VRRP (RFC 1071), accumulated over several spans.</summary>
public struct InternetChecksum
{
    private ulong _sum;
    private bool _odd;
    private byte _pending;

    public void Add(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        if (_odd)
        {
            _sum += (uint)((_pending << 8) | data[0]);
            data = data[1..];
            _odd = false;
        }

        while (data.Length >= 2)
        {
            _sum += BinaryPrimitives.ReadUInt16BigEndian(data);
            data = data[2..];
        }

        if (data.Length == 1)
        {
            _pending = data[0];
            _odd = true;
        }
    }

    public void AddUInt16(ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        Add(bytes);
    }

    public void AddUInt32(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        Add(bytes);
    }

    /// <summary>The checksum to store: the complement of the folded sum.</summary>
    public readonly ushort Result()
    {
        var sum = _sum + (_odd ? (uint)(_pending << 8) : 0u);
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}
