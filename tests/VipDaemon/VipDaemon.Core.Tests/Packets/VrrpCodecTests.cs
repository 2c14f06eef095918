using System.Net;
using VipDaemon.Core.Packets;
using Xunit;

namespace VipDaemon.Core.Tests.Packets;

public sealed class VrrpCodecTests
{
    private static readonly IPAddress Source = IPAddress.Parse("192.0.2.11");
    private static readonly IPAddress Group = IPAddress.Parse("224.0.0.18");
    private static readonly IPAddress Vip = IPAddress.Parse("192.0.2.100");

    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    private static byte[] Build(Advertisement advert, IPAddress source, IPAddress destination, V3Checksum form = V3Checksum.PseudoHeader)
    {
        var buffer = new byte[VrrpCodec.MaxMessageLength];
        return buffer[..VrrpCodec.Write(buffer, advert, source, destination, form)];
    }

    // Checksums worked out by hand (RFC 1071) for VRID 51, priority 100, VIP 192.0.2.100, 1 s.
    [Fact]
    public void Builds_the_golden_v2_packet()
    {
        var bytes = Build(new Advertisement(2, 51, 100, [Vip], 100), Source, Group);
        Assert.Equal(Hex("21 33 64 01 00 01 b8 65 c0 00 02 64 00 00 00 00 00 00 00 00"), bytes);
    }

    [Fact]
    public void Builds_the_golden_v3_packets_with_and_without_the_ipv4_pseudo_header()
    {
        var advert = new Advertisement(3, 51, 100, [Vip], 100);
        Assert.Equal(Hex("31 33 64 01 00 64 05 68 c0 00 02 64"), Build(advert, Source, Group, V3Checksum.PseudoHeader));
        Assert.Equal(Hex("31 33 64 01 00 64 a8 02 c0 00 02 64"), Build(advert, Source, Group, V3Checksum.MessageOnly));
    }

    [Theory]
    [InlineData("31 33 64 01 00 64 05 68 c0 00 02 64", V3Checksum.PseudoHeader)]
    [InlineData("31 33 64 01 00 64 a8 02 c0 00 02 64", V3Checksum.MessageOnly)]
    public void Parses_v3_packets_in_either_checksum_form(string hex, V3Checksum form)
    {
        Assert.True(VrrpCodec.TryParse(Hex(hex), Source, Group, out var advert, out var reason, out var seen), reason.ToString());
        Assert.Equal(form, seen);
        Assert.Equal(new Advertisement(3, 51, 100, [Vip], 100), advert);
    }

    [Fact]
    public void Parses_the_golden_v2_packet()
    {
        Assert.True(VrrpCodec.TryParse(Hex("21 33 64 01 00 01 b8 65 c0 00 02 64 00 00 00 00 00 00 00 00"), Source, Group, out var advert, out _, out _));
        Assert.Equal(new Advertisement(2, 51, 100, [Vip], 100), advert);
    }

    [Fact]
    public void Round_trips_ipv6_with_the_ipv6_pseudo_header()
    {
        var source = IPAddress.Parse("fe80::1");
        var group = IPAddress.Parse("ff02::12");
        var advert = new Advertisement(3, 7, 200, [IPAddress.Parse("2001:db8::100"), IPAddress.Parse("2001:db8::101")], 10);
        var bytes = Build(advert, source, group);
        Assert.Equal(8 + 32, bytes.Length);
        Assert.True(VrrpCodec.TryParse(bytes, source, group, out var parsed, out _, out _));
        Assert.Equal(advert, parsed);
        // The IPv6 checksum depends on the addresses: another source makes it invalid.
        Assert.False(VrrpCodec.TryParse(bytes, IPAddress.Parse("fe80::2"), group, out _, out var reason, out _));
        Assert.Equal(DropReason.BadChecksum, reason);
    }

    [Theory]
    [InlineData("", DropReason.TooShort)]
    [InlineData("31 33 64 01 00 64", DropReason.TooShort)]
    [InlineData("41 33 64 01 00 64 05 68 c0 00 02 64", DropReason.BadVersion)]
    [InlineData("32 33 64 01 00 64 05 68 c0 00 02 64", DropReason.BadType)]
    [InlineData("31 33 64 02 00 64 05 68 c0 00 02 64", DropReason.LengthMismatch)]
    [InlineData("31 33 64 01 00 64 05 69 c0 00 02 64", DropReason.BadChecksum)]
    [InlineData("21 33 64 01 00 01 b8 65 c0 00 02 64 00 00 00 00", DropReason.LengthMismatch)]
    public void Rejects_bad_packets_with_a_reason(string hex, DropReason expected)
    {
        Assert.False(VrrpCodec.TryParse(Hex(hex), Source, Group, out var advert, out var reason, out _));
        Assert.Null(advert);
        Assert.Equal(expected, reason);
    }

    [Fact]
    public void Rejects_v2_over_ipv6()
    {
        var bytes = Hex("21 33 64 00 00 01 00 00 00 00 00 00 00 00 00 00");
        Assert.False(VrrpCodec.TryParse(bytes, IPAddress.Parse("fe80::1"), IPAddress.Parse("ff02::12"), out _, out var reason, out _));
        Assert.Equal(DropReason.BadVersion, reason);
    }

    [Fact]
    public void Never_throws_on_random_or_mutated_input()
    {
        var random = new Random(5798);
        var valid = Build(new Advertisement(3, 51, 100, [Vip, IPAddress.Parse("192.0.2.101")], 100), Source, Group);
        var accepted = 0;
        for (var i = 0; i < 50_000; i++)
        {
            byte[] input;
            if (i % 2 == 0)
            {
                input = new byte[random.Next(0, 64)];
                random.NextBytes(input);
            }
            else
            {
                input = (byte[])valid.Clone();
                for (var m = random.Next(1, 4); m > 0; m--)
                {
                    input[random.Next(input.Length)] ^= (byte)random.Next(1, 256);
                }

                input = input[..random.Next(0, input.Length + 1)];
            }

            if (VrrpCodec.TryParse(input, Source, Group, out var advert, out _, out _))
            {
                accepted++;
                Assert.NotNull(advert);
                Assert.InRange(advert.Addresses.Count, 0, 255);
            }
        }

        Assert.True(accepted < 500, $"{accepted} corrupted packets passed the checks"); // only checksum collisions can
    }

    [Fact]
    public void Parses_the_ipv4_header_of_a_raw_socket_read()
    {
        var vrrp = Build(new Advertisement(3, 51, 100, [Vip], 100), Source, Group);
        var packet = new byte[20 + vrrp.Length];
        packet[0] = 0x45;
        packet[2] = 0;
        packet[3] = (byte)packet.Length;
        packet[8] = 255;
        packet[9] = 112;
        Source.TryWriteBytes(packet.AsSpan(12), out _);
        Group.TryWriteBytes(packet.AsSpan(16), out _);
        vrrp.CopyTo(packet, 20);
        Assert.True(Ipv4Header.TryParse(packet, out var header, out _));
        Assert.Equal((byte)255, header.Ttl);
        Assert.Equal(20, header.HeaderLength);
        Assert.Equal(Source, header.Source);
        Assert.Equal(Group, header.Destination);

        packet[9] = 6;
        Assert.False(Ipv4Header.TryParse(packet, out _, out var reason));
        Assert.Equal(DropReason.NotVrrp, reason);
        Assert.False(Ipv4Header.TryParse(packet.AsSpan(0, 10), out _, out reason));
        Assert.Equal(DropReason.TooShort, reason);
    }
}
