using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace VipDaemon.Core.Packets;

/// <summary>
/// Parses and builds VRRP advertisements over spans. Parsing never throws: bad input yields a <see cref="DropReason"/>.
/// </summary>
public static class VrrpCodec
{
    public const int HeaderLength = 8;
    public const int V2AuthLength = 8;
    public const byte ProtocolNumber = 112;
    public const int MaxAddresses = 255;

    /// <summary>Largest message: header, 255 IPv6 addresses.</summary>
    public const int MaxMessageLength = HeaderLength + (MaxAddresses * 16) + V2AuthLength;

    /// <summary>
    /// Parses a VRRP message (the IP payload). <paramref name="source"/> and <paramref name="destination"/> are the IP
    /// addresses of the packet, needed for the v3 pseudo-header checksum. A v3 IPv4 checksum is accepted in either form
    /// (with or without the pseudo-header); <paramref name="checksumForm"/> tells which one matched.
    /// </summary>
    public static bool TryParse(
        ReadOnlySpan<byte> message,
        IPAddress source,
        IPAddress destination,
        out Advertisement? advertisement,
        out DropReason reason,
        out V3Checksum checksumForm)
    {
        advertisement = null;
        checksumForm = V3Checksum.PseudoHeader;
        if (message.Length < HeaderLength)
        {
            reason = DropReason.TooShort;
            return false;
        }

        var version = message[0] >> 4;
        var type = message[0] & 0x0F;
        if (version is not (2 or 3))
        {
            reason = DropReason.BadVersion;
            return false;
        }

        var family = source.AddressFamily;
        if (version == 2 && family != AddressFamily.InterNetwork)
        {
            reason = DropReason.BadVersion; // VRRPv2 exists for IPv4 only
            return false;
        }

        if (type != Advertisement.TypeAdvertisement)
        {
            reason = DropReason.BadType;
            return false;
        }

        var count = message[3];
        var addressLength = family == AddressFamily.InterNetwork ? 4 : 16;
        var expected = HeaderLength + (count * addressLength) + (version == 2 ? V2AuthLength : 0);
        if (message.Length < expected)
        {
            reason = DropReason.LengthMismatch;
            return false;
        }

        message = message[..expected];
        if (!ChecksumValid(message, version, source, destination, out checksumForm))
        {
            reason = DropReason.BadChecksum;
            return false;
        }

        var addresses = new IPAddress[count];
        for (var i = 0; i < count; i++)
        {
            addresses[i] = new IPAddress(message.Slice(HeaderLength + (i * addressLength), addressLength));
        }

        var interval = version == 3
            ? BinaryPrimitives.ReadUInt16BigEndian(message[4..]) & 0x0FFF
            : message[5] * 100;
        advertisement = new Advertisement(version, message[1], message[2], addresses, interval, version == 2 ? message[4] : (byte)0);
        reason = DropReason.None;
        return true;
    }

    /// <summary>Writes the VRRP message for <paramref name="advertisement"/>; returns its length.</summary>
    public static int Write(Span<byte> destination, Advertisement advertisement, IPAddress source, IPAddress target, V3Checksum form)
    {
        var v3 = advertisement.Version == 3;
        var addressLength = source.AddressFamily == AddressFamily.InterNetwork ? 4 : 16;
        var length = HeaderLength + (advertisement.Addresses.Count * addressLength) + (v3 ? 0 : V2AuthLength);
        var message = destination[..length];
        message.Clear();
        message[0] = (byte)((advertisement.Version << 4) | Advertisement.TypeAdvertisement);
        message[1] = advertisement.Vrid;
        message[2] = advertisement.Priority;
        message[3] = (byte)advertisement.Addresses.Count;
        if (v3)
        {
            BinaryPrimitives.WriteUInt16BigEndian(message[4..], (ushort)(advertisement.IntervalCentiseconds & 0x0FFF));
        }
        else
        {
            message[4] = advertisement.AuthType;
            message[5] = (byte)Math.Clamp(advertisement.IntervalCentiseconds / 100, 1, 255);
        }

        for (var i = 0; i < advertisement.Addresses.Count; i++)
        {
            if (!advertisement.Addresses[i].TryWriteBytes(message[(HeaderLength + (i * addressLength))..], out var written) || written != addressLength)
            {
                throw new ArgumentException($"address {advertisement.Addresses[i]} is not of the family of {source}", nameof(advertisement));
            }
        }

        var checksum = Compute(message, advertisement.Version, source, target, form);
        BinaryPrimitives.WriteUInt16BigEndian(message[6..], checksum);
        return length;
    }

    private static bool ChecksumValid(ReadOnlySpan<byte> message, int version, IPAddress source, IPAddress destination, out V3Checksum form)
    {
        form = V3Checksum.PseudoHeader;
        if (version == 2 || source.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return Sum(message, version == 3 ? PseudoHeaderOf(source, destination, message.Length) : null) == 0;
        }

        if (Sum(message, PseudoHeaderOf(source, destination, message.Length)) == 0)
        {
            return true;
        }

        form = V3Checksum.MessageOnly;
        return Sum(message, null) == 0;
    }

    private static ushort Compute(ReadOnlySpan<byte> message, int version, IPAddress source, IPAddress destination, V3Checksum form)
    {
        var pseudo = version == 3 && (source.AddressFamily == AddressFamily.InterNetworkV6 || form == V3Checksum.PseudoHeader)
            ? PseudoHeaderOf(source, destination, message.Length)
            : null;
        var sum = new InternetChecksum();
        if (pseudo is not null)
        {
            sum.Add(pseudo);
        }

        sum.Add(message[..6]);
        sum.AddUInt16(0);
        sum.Add(message[8..]);
        return sum.Result();
    }

    /// <summary>The sum over an optional pseudo-header and the message as received; 0 (after complement) when valid.</summary>
    private static ushort Sum(ReadOnlySpan<byte> message, byte[]? pseudo)
    {
        var sum = new InternetChecksum();
        if (pseudo is not null)
        {
            sum.Add(pseudo);
        }

        sum.Add(message);
        return sum.Result();
    }

    /// <summary>IPv4: src, dst, zero, 112, length(16). IPv6 (RFC 8200 §8.1): src, dst, length(32), three zeros, 112.</summary>
    private static byte[] PseudoHeaderOf(IPAddress source, IPAddress destination, int length)
    {
        if (source.AddressFamily == AddressFamily.InterNetwork)
        {
            var header = new byte[12];
            source.TryWriteBytes(header, out _);
            destination.TryWriteBytes(header.AsSpan(4), out _);
            header[9] = ProtocolNumber;
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(10), (ushort)length);
            return header;
        }

        var v6 = new byte[40];
        source.TryWriteBytes(v6, out _);
        destination.TryWriteBytes(v6.AsSpan(16), out _);
        BinaryPrimitives.WriteUInt32BigEndian(v6.AsSpan(32), (uint)length);
        v6[39] = ProtocolNumber;
        return v6;
    }
}
