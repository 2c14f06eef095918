using System.Net;
using System.Text;
using Alb.Core.Listeners;
using CsCheck;
using Xunit;

namespace Alb.Core.Tests.Listeners;

public sealed class ProxyProtocolHeaderTests
{
    internal static byte[] V2(byte command, byte family, byte[] addresses)
    {
        var header = new List<byte> { 0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, (byte)(0x20 | command), family, (byte)(addresses.Length >> 8), (byte)addresses.Length };
        header.AddRange(addresses);
        return [.. header];
    }

    [Fact]
    public void Reads_a_v1_header_and_its_length()
    {
        var data = Encoding.ASCII.GetBytes("PROXY TCP4 203.0.113.7 10.0.0.1 5555 443\r\nGET / HTTP/1.1\r\n");
        Assert.Equal(ProxyHeaderResult.Complete, ProxyProtocolHeader.TryRead(data, out var length, out var source, out var destination));
        Assert.Equal("PROXY TCP4 203.0.113.7 10.0.0.1 5555 443\r\n".Length, length);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.7"), 5555), source);
        Assert.Equal(443, destination!.Port);
    }

    [Fact]
    public void Reads_v2_ipv4_ipv6_and_local()
    {
        var v4 = V2(1, 0x11, [203, 0, 113, 7, 10, 0, 0, 1, 0x15, 0xB3, 0x01, 0xBB]);
        Assert.Equal(ProxyHeaderResult.Complete, ProxyProtocolHeader.TryRead(v4, out var length, out var source, out _));
        Assert.Equal(28, length);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.7"), 5555), source);

        var v6 = V2(1, 0x21, [.. IPAddress.Parse("2001:db8::7").GetAddressBytes(), .. IPAddress.Parse("2001:db8::1").GetAddressBytes(), 0x15, 0xB3, 0x01, 0xBB]);
        Assert.Equal(ProxyHeaderResult.Complete, ProxyProtocolHeader.TryRead(v6, out _, out source, out _));
        Assert.Equal(IPAddress.Parse("2001:db8::7"), source!.Address);

        Assert.Equal(ProxyHeaderResult.Complete, ProxyProtocolHeader.TryRead(V2(0, 0x00, []), out length, out source, out _));
        Assert.Equal(16, length);
        Assert.Null(source);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n")]
    [InlineData("PROXY TCP4 203.0.113.7 nope 5555 443\r\n")]
    [InlineData("PROXY TCP4 2001:db8::1 10.0.0.1 5555 443\r\n")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 70000 1\r\n")]
    public void Refuses_what_is_not_a_header(string text) =>
        Assert.Equal(ProxyHeaderResult.Invalid, ProxyProtocolHeader.TryRead(Encoding.ASCII.GetBytes(text), out _, out _, out _));

    [Fact]
    public void Asks_for_more_while_a_header_is_incomplete_and_refuses_an_endless_one()
    {
        Assert.Equal(ProxyHeaderResult.NeedMore, ProxyProtocolHeader.TryRead("PROXY TCP4 1.2"u8, out _, out _, out _));
        Assert.Equal(ProxyHeaderResult.NeedMore, ProxyProtocolHeader.TryRead(V2(1, 0x11, [1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 0, 2]).AsSpan(0, 20), out _, out _, out _));
        Assert.Equal(ProxyHeaderResult.Invalid, ProxyProtocolHeader.TryRead(Encoding.ASCII.GetBytes("PROXY " + new string('1', 200)), out _, out _, out _));
    }

    [Fact]
    public void Never_throws_on_arbitrary_bytes() =>
        Gen.Byte.Array[0, 700].Sample(bytes =>
        {
            var result = ProxyProtocolHeader.TryRead(bytes, out var length, out _, out _);
            Assert.True(result != ProxyHeaderResult.Complete || (length > 0 && length <= bytes.Length));
        }, iter: 20_000);
}
