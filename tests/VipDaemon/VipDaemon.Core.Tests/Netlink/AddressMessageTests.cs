using System.Net;
using VipDaemon.Core.Config;
using VipDaemon.Core.Netlink;
using Xunit;

namespace VipDaemon.Core.Tests.Netlink;

public class AddressMessageTests
{
    [Fact]
    public void Builds_the_add_request_iproute2_would_send_for_an_ipv4_address()
    {
        var message = AddressMessage.Build(add: true, interfaceIndex: 3, new VirtualAddress(IPAddress.Parse("192.0.2.10"), 32), sequence: 7);

        Assert.Equal(
            "28000000" + "1400" + "0505" + "07000000" + "00000000" // nlmsghdr: 40 bytes, RTM_NEWADDR, REQUEST|ACK|CREATE|REPLACE, seq 7
            + "02" + "20" + "00" + "00" + "03000000"               // ifaddrmsg: AF_INET, /32, no flags, universe, ifindex 3
            + "0800" + "0200" + "C000020A"                         // IFA_LOCAL 192.0.2.10
            + "0800" + "0100" + "C000020A",                        // IFA_ADDRESS 192.0.2.10
            Convert.ToHexString(message));
    }

    [Fact]
    public void Builds_a_delete_request_for_an_ipv6_address_without_dad()
    {
        var message = AddressMessage.Build(add: false, interfaceIndex: 2, new VirtualAddress(IPAddress.Parse("2001:db8::10"), 64), sequence: 1);

        Assert.Equal(64, message.Length);
        Assert.Equal("1500" + "0500", Convert.ToHexString(message, 4, 4)); // RTM_DELADDR, REQUEST|ACK
        Assert.Equal("0A" + "40" + "02" + "00", Convert.ToHexString(message, 16, 4)); // AF_INET6, /64, IFA_F_NODAD
        Assert.Equal("20010DB8000000000000000000000010", Convert.ToHexString(message, 28, 16));
    }

    [Theory]
    [InlineData("14000000" + "0200" + "0000" + "07000000" + "00000000" + "00000000", 7, true, 0)]    // ack
    [InlineData("14000000" + "0200" + "0000" + "07000000" + "00000000" + "9DFFFFFF", 7, true, 99)]   // -EADDRNOTAVAIL
    [InlineData("14000000" + "0200" + "0000" + "08000000" + "00000000" + "00000000", 7, false, 0)]   // another sequence
    [InlineData("14000000" + "1400" + "0000" + "07000000" + "00000000" + "00000000", 7, false, 0)]   // not an error/ack message
    [InlineData("2400", 7, false, 0)]                                                                // cut short
    public void Reads_acknowledgements(string hex, uint sequence, bool ok, int errno)
    {
        Assert.Equal(ok, AddressMessage.TryReadAck(Convert.FromHexString(hex), sequence, out var e, out var problem));
        Assert.Equal(errno, e);
        Assert.Equal(ok, problem.Length == 0);
    }
}
