using System.Net;
using VipDaemon.Core.Packets;
using Xunit;

namespace VipDaemon.Core.Tests.Packets;

public class NeighborAdvertTests
{
    [Fact]
    public void Writes_an_unsolicited_override_advert_with_our_link_layer_address()
    {
        var buffer = new byte[NeighborAdvert.Length];
        NeighborAdvert.Write(buffer, IPAddress.Parse("2001:db8::100"), [0x02, 0x00, 0x00, 0x00, 0x00, 0x01]);

        Assert.Equal(
            "88" + "00" + "0000" + "20000000"            // type 136, code 0, checksum (kernel), flags: Override only
            + "20010DB8000000000000000000000100"         // target
            + "02" + "01" + "020000000001",               // Target Link-Layer Address option, 8 bytes
            Convert.ToHexString(buffer));
    }

    [Fact]
    public void Refuses_an_ipv4_target_or_a_short_mac() =>
        Assert.Throws<ArgumentException>(() => NeighborAdvert.Write(new byte[32], IPAddress.Parse("192.0.2.1"), new byte[6]));
}
