using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;

namespace Alb.Core.Listeners;

/// <summary>What reading a PROXY protocol header found.</summary>
public enum ProxyHeaderResult
{
    /// <summary>A header of <c>Length</c> bytes; the addresses are set unless it said LOCAL / UNKNOWN.</summary>
    Complete,

    /// <summary>More bytes are needed.</summary>
    NeedMore,

    /// <summary>Not a valid PROXY protocol v1 or v2 header: the connection is closed (use-proxy-protocol requires one).</summary>
    Invalid,
}

/// <summary>
/// The PROXY protocol header (HAProxy's spec, v1 text and v2 binary) a load balancer puts before the client's bytes
/// when <c>use-proxy-protocol</c> is on. Span-based and bounded: v1 at most 107 bytes, v2 at most 16 + 536 bytes.
/// </summary>
public static class ProxyProtocolHeader
{
    private static readonly byte[] V2Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    public static ProxyHeaderResult TryRead(ReadOnlySpan<byte> data, out int length, out IPEndPoint? source, out IPEndPoint? destination)
    {
        length = 0;
        source = null;
        destination = null;
        if (data.Length == 0)
        {
            return ProxyHeaderResult.NeedMore;
        }

        if (data[0] == 0x0D)
        {
            return ReadV2(data, out length, out source, out destination);
        }

        if (data[0] != (byte)'P')
        {
            return ProxyHeaderResult.Invalid;
        }

        var prefix = "PROXY "u8;
        if (!data[..Math.Min(data.Length, prefix.Length)].SequenceEqual(prefix[..Math.Min(data.Length, prefix.Length)]))
        {
            return ProxyHeaderResult.Invalid;
        }

        var end = data.IndexOf("\r\n"u8);
        if (end < 0)
        {
            return data.Length >= 107 ? ProxyHeaderResult.Invalid : ProxyHeaderResult.NeedMore;
        }

        if (end + 2 > 107)
        {
            return ProxyHeaderResult.Invalid;
        }

        length = end + 2;
        var line = Encoding.ASCII.GetString(data[..end]);
        var parts = line.Split(' ');
        if (parts.Length >= 2 && parts[1] == "UNKNOWN")
        {
            return ProxyHeaderResult.Complete;
        }

        if (parts.Length != 6 || parts[1] is not ("TCP4" or "TCP6") ||
            !IPAddress.TryParse(parts[2], out var sourceAddress) || !IPAddress.TryParse(parts[3], out var destinationAddress) ||
            !ushort.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out var sourcePort) ||
            !ushort.TryParse(parts[5], NumberStyles.None, CultureInfo.InvariantCulture, out var destinationPort) ||
            (parts[1] == "TCP4") != (sourceAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork))
        {
            length = 0;
            return ProxyHeaderResult.Invalid;
        }

        source = new IPEndPoint(sourceAddress, sourcePort);
        destination = new IPEndPoint(destinationAddress, destinationPort);
        return ProxyHeaderResult.Complete;
    }

    private static ProxyHeaderResult ReadV2(ReadOnlySpan<byte> data, out int length, out IPEndPoint? source, out IPEndPoint? destination)
    {
        length = 0;
        source = null;
        destination = null;
        var known = Math.Min(data.Length, V2Signature.Length);
        if (!data[..known].SequenceEqual(V2Signature.AsSpan(0, known)))
        {
            return ProxyHeaderResult.Invalid;
        }

        if (data.Length < 16)
        {
            return ProxyHeaderResult.NeedMore;
        }

        var versionCommand = data[12];
        if (versionCommand >> 4 != 2 || (versionCommand & 0x0F) > 1)
        {
            return ProxyHeaderResult.Invalid;
        }

        var payload = BinaryPrimitives.ReadUInt16BigEndian(data[14..]);
        if (payload > 536)
        {
            return ProxyHeaderResult.Invalid;
        }

        if (data.Length < 16 + payload)
        {
            return ProxyHeaderResult.NeedMore;
        }

        length = 16 + payload;
        if ((versionCommand & 0x0F) == 0)
        {
            return ProxyHeaderResult.Complete; // LOCAL: a health check from the balancer itself; keep the peer
        }

        var body = data.Slice(16, payload);
        switch (data[13] >> 4)
        {
            case 1 when body.Length >= 12:
                source = new IPEndPoint(new IPAddress(body[..4]), BinaryPrimitives.ReadUInt16BigEndian(body[8..]));
                destination = new IPEndPoint(new IPAddress(body[4..8]), BinaryPrimitives.ReadUInt16BigEndian(body[10..]));
                return ProxyHeaderResult.Complete;
            case 2 when body.Length >= 36:
                source = new IPEndPoint(new IPAddress(body[..16]), BinaryPrimitives.ReadUInt16BigEndian(body[32..]));
                destination = new IPEndPoint(new IPAddress(body[16..32]), BinaryPrimitives.ReadUInt16BigEndian(body[34..]));
                return ProxyHeaderResult.Complete;
            case 0:
                return ProxyHeaderResult.Complete; // UNSPEC
            default:
                length = 0;
                return ProxyHeaderResult.Invalid;
        }
    }
}
