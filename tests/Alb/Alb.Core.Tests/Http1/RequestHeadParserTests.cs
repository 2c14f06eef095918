using System.Text;
using Alb.Core.Http1;
using Xunit;

namespace Alb.Core.Tests.Http1;

/// <summary>
/// The request head parser of alb's own HTTP/1.1 server: what it accepts it reports exactly, and everything that is not
/// plainly well formed (the smuggling and bypass cases of alb's raw-socket tests among them) is refused with its reason,
/// for the general path to answer.
/// </summary>
public sealed class RequestHeadParserTests
{
    private static (HeadError Error, RequestHead Head, byte[] Bytes) Parse(string text, RequestLimits? limits = null)
    {
        var bytes = Encoding.Latin1.GetBytes(text);
        var head = new RequestHead();
        return (RequestHeadParser.TryParse(bytes, head, limits ?? RequestLimits.Default), head, bytes);
    }

    private static string At(byte[] bytes, int start, int length) => Encoding.Latin1.GetString(bytes, start, length);

    [Fact]
    public void Reads_a_plain_get_with_its_target_path_host_and_fields()
    {
        var text = "GET /shop/cart?id=7&x=%2F HTTP/1.1\r\nHost: app.example.com:8080\r\nUser-Agent: wrk\r\nAccept:  */*  \r\n\r\nNEXT";
        var (error, head, bytes) = Parse(text);

        Assert.Equal(HeadError.None, error);
        Assert.Equal(text.IndexOf("NEXT", StringComparison.Ordinal), head.Length);
        Assert.True(head.IsGet(bytes));
        Assert.False(head.IsHead(bytes));
        Assert.Equal("/shop/cart?id=7&x=%2F", At(bytes, head.TargetStart, head.TargetLength));
        Assert.Equal("/shop/cart", At(bytes, head.TargetStart, head.PathLength));
        Assert.Equal("app.example.com:8080", At(bytes, head.HostStart, head.HostLength));
        Assert.Equal(1, head.MinorVersion);
        Assert.True(head.KeepAlive);
        Assert.Equal(BodyFraming.None, head.Framing);
        Assert.Equal(["Host: app.example.com:8080", "User-Agent: wrk", "Accept: */*"],
            head.Headers.ToArray().Select(h => At(bytes, h.NameStart, h.NameLength) + ": " + At(bytes, h.ValueStart, h.ValueLength)));
    }

    [Theory]
    [InlineData("POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\n\r\n", BodyFraming.ContentLength, 12L, true)]
    [InlineData("POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", BodyFraming.None, 0L, true)]
    [InlineData("PUT /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", BodyFraming.Chunked, -1L, true)]
    [InlineData("GET /a HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", BodyFraming.None, -1L, false)]
    [InlineData("GET /a HTTP/1.0\r\nHost: a\r\n\r\n", BodyFraming.None, -1L, false)]
    [InlineData("GET /a HTTP/1.0\r\nHost: a\r\nConnection: Keep-Alive\r\n\r\n", BodyFraming.None, -1L, true)]
    public void Reads_the_body_framing_and_whether_the_connection_is_kept(string text, BodyFraming framing, long length, bool keepAlive)
    {
        var (error, head, _) = Parse(text);
        Assert.Equal(HeadError.None, error);
        Assert.Equal(framing, head.Framing);
        Assert.Equal(length, head.ContentLength);
        Assert.Equal(keepAlive, head.KeepAlive);
    }

    [Theory]
    [InlineData("GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", true, false)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, upgrade\r\n\r\n", true, false)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n", false, true)]
    public void Flags_a_protocol_switch_and_an_expectation_for_the_caller(string text, bool upgrade, bool expect)
    {
        var (error, head, _) = Parse(text);
        Assert.Equal(HeadError.None, error);
        Assert.Equal(upgrade, head.Upgrade);
        Assert.Equal(expect, head.Expect);
    }

    [Fact]
    public void Is_incomplete_for_every_prefix_of_a_head_and_complete_only_with_its_empty_line()
    {
        var text = "GET /a?b=c HTTP/1.1\r\nHost: a.example.com\r\nX-Long: " + new string('v', 200) + "\r\n\r\n";
        var bytes = Encoding.ASCII.GetBytes(text);
        var head = new RequestHead();
        for (var n = 0; n < bytes.Length; n++)
        {
            Assert.Equal(HeadError.Incomplete, RequestHeadParser.TryParse(bytes.AsSpan(0, n), head, RequestLimits.Default));
        }

        Assert.Equal(HeadError.None, RequestHeadParser.TryParse(bytes, head, RequestLimits.Default));
        Assert.Equal(bytes.Length, head.Length);
    }

    public static TheoryData<string, HeadError> Refused => new()
    {
        // The smuggling cases of AuthBypassTests: framing two parsers could read differently.
        { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n", HeadError.TransferEncodingWithContentLength },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", HeadError.TransferEncodingWithContentLength },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n", HeadError.UnsupportedTransferEncoding },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n", HeadError.BadHeaderName },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n", HeadError.UnsupportedTransferEncoding },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", HeadError.UnsupportedTransferEncoding },
        { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 44\r\n\r\n", HeadError.DuplicateContentLength },
        { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +4\r\n\r\n", HeadError.BadContentLength },
        { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4, 4\r\n\r\n", HeadError.BadContentLength },
        { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1234567890123456789\r\n\r\n", HeadError.BadContentLength },
        { "POST / HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", HeadError.TransferEncodingInHttp10 },

        // Line endings and folding.
        { "GET / HTTP/1.1\nHost: a\r\n\r\n", HeadError.BareLineFeed },
        { "GET / HTTP/1.1\r\nHost: a\n\n", HeadError.BareLineFeed },
        { "GET / HTTP/1.1\r\nHost: a\rX: y\r\n\r\n", HeadError.BareCarriageReturn },
        { "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n folded\r\n\r\n", HeadError.ObsFold },
        { "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", HeadError.BadRequestLine },

        // The request line.
        { "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", HeadError.BadRequestLine },
        { " GET / HTTP/1.1\r\nHost: a\r\n\r\n", HeadError.BadRequestLine },
        { "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", HeadError.BadRequestLine },
        { "GET /\r\nHost: a\r\n\r\n", HeadError.BadRequestLine },
        { "GET / HTTP/2.0\r\nHost: a\r\n\r\n", HeadError.BadVersion },
        { "GET / http/1.1\r\nHost: a\r\n\r\n", HeadError.BadVersion },
        { "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", HeadError.BadVersion },
        { "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", HeadError.BadVersion },

        // The target: other forms and anything Kestrel would read differently go to the general path.
        { "GET http://a/admin HTTP/1.1\r\nHost: a\r\n\r\n", HeadError.UnsupportedTarget },
        { "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", HeadError.UnsupportedTarget },
        { "CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n", HeadError.UnsupportedTarget },
        { "GET /x/../admin HTTP/1.1\r\nHost: a\r\n\r\n", HeadError.UnsupportedTarget },
        { "GET /./admin HTTP/1.1\r\nHost: a\r\n\r\n", HeadError.UnsupportedTarget },
        { "GET /admin/. HTTP/1.1\r\nHost: a\r\n\r\n", HeadError.UnsupportedTarget },
        { "GET /admin/.. HTTP/1.1\r\nHost: a\r\n\r\n", HeadError.UnsupportedTarget },
        { "GET /%2e/admin HTTP/1.1\r\nHost: a\r\n\r\n", HeadError.UnsupportedTarget },
        { "GET /%61dmin HTTP/1.1\r\nHost: a\r\n\r\n", HeadError.UnsupportedTarget },
        { "GET /x%2F..%2Fadmin HTTP/1.1\r\nHost: a\r\n\r\n", HeadError.UnsupportedTarget },
        { "GET /admin#frag HTTP/1.1\r\nHost: a\r\n\r\n", HeadError.BadTarget },
        { "GET /admin\\x HTTP/1.1\r\nHost: a\r\n\r\n", HeadError.BadTarget },
        { "GET /admin%zz HTTP/1.1\r\nHost: a\r\n\r\n", HeadError.BadTarget },
        { "GET /admin?x=%4 HTTP/1.1\r\nHost: a\r\n\r\n", HeadError.BadTarget },
        { "GET /admin?x=\"y\" HTTP/1.1\r\nHost: a\r\n\r\n", HeadError.BadTarget },
        { "GET /caf\u00e9 HTTP/1.1\r\nHost: a\r\n\r\n", HeadError.BadTarget },
        { "GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n", HeadError.BadTarget },

        // Host: exactly one, a name or an IPv4 address and a port.
        { "GET / HTTP/1.1\r\nUser-Agent: x\r\n\r\n", HeadError.MissingHost },
        { "GET / HTTP/1.1\r\nHost: other.example.com\r\nHost: app.example.com\r\n\r\n", HeadError.DuplicateHost },
        { "GET / HTTP/1.1\r\nHost: \r\n\r\n", HeadError.BadHost },
        { "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", HeadError.BadHost },
        { "GET / HTTP/1.1\r\nHost: a@b\r\n\r\n", HeadError.BadHost },
        { "GET / HTTP/1.1\r\nHost: a:\r\n\r\n", HeadError.BadHost },
        { "GET / HTTP/1.1\r\nHost: a:123456\r\n\r\n", HeadError.BadHost },
        { "GET / HTTP/1.1\r\nHost: a:8x\r\n\r\n", HeadError.BadHost },
        { "GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", HeadError.BadHost },
        { "GET / HTTP/1.1\r\nHost: a_b.example.com\r\n\r\n", HeadError.BadHost },

        // Field names and values.
        { "GET / HTTP/1.1\r\nHost: a\r\n: empty\r\n\r\n", HeadError.BadHeaderName },
        { "GET / HTTP/1.1\r\nHost: a\r\nX(A): 1\r\n\r\n", HeadError.BadHeaderName },
        { "GET / HTTP/1.1\r\nHost: a\r\nNo-Colon\r\n\r\n", HeadError.BadHeaderName },
        { "GET / HTTP/1.1\r\nHost: a\r\nX-A: a\0b\r\n\r\n", HeadError.BadHeaderValue },
        { "GET / HTTP/1.1\r\nHost: a\r\nX-A: a\u007fb\r\n\r\n", HeadError.BadHeaderValue },
        { "GET / HTTP/1.1\r\nHost: a\r\nX-A: caf\u00e9\r\n\r\n", HeadError.BadHeaderValue },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Refuses_what_is_not_plainly_well_formed_and_says_why(string text, HeadError expected)
    {
        var (error, head, _) = Parse(text);
        Assert.Equal(expected, error);
        Assert.Equal(0, head.Length); // nothing half-parsed is left for the caller to use
        Assert.Equal(0, head.HeaderCount);
        Assert.Equal(-1, head.HostStart);
    }

    [Fact]
    public void Holds_the_request_line_the_head_and_the_field_count_to_their_limits()
    {
        var limits = new RequestLimits(MaxLineBytes: 64, MaxHeadBytes: 256, MaxHeaders: 4);
        string Line(int bytes) => "GET /" + new string('a', bytes - "GET / HTTP/1.1\r\n".Length) + " HTTP/1.1\r\n";

        Assert.Equal(HeadError.None, Parse(Line(64) + "Host: a\r\n\r\n", limits).Error);
        Assert.Equal(HeadError.RequestLineTooLong, Parse(Line(65) + "Host: a\r\n\r\n", limits).Error);
        Assert.Equal(HeadError.RequestLineTooLong, Parse(Line(65)[..64], limits).Error); // not waiting for the rest

        var fields = "Host: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n";
        Assert.Equal(HeadError.None, Parse("GET / HTTP/1.1\r\n" + fields + "\r\n", limits).Error);
        Assert.Equal(HeadError.TooManyHeaders, Parse("GET / HTTP/1.1\r\n" + fields + "D: 4\r\n\r\n", limits).Error);

        var big = "GET / HTTP/1.1\r\nHost: a\r\nX: " + new string('v', 256) + "\r\n\r\n";
        Assert.Equal(HeadError.TooLarge, Parse(big, limits).Error);
        Assert.Equal(HeadError.TooLarge, Parse(big[..256], limits).Error); // the limit reached without the empty line
        Assert.Equal(HeadError.Incomplete, Parse(big[..255], limits).Error);
    }

    [Fact]
    public void The_defaults_are_what_alb_gives_kestrel()
    {
        // ServeCommand: MaxRequestLineSize = the buffer size (8k), MaxRequestHeadersTotalSize = 4 x 8k, 100 fields.
        Assert.Equal(new RequestLimits(8192, 32768, 100), RequestLimits.Default);
    }

    [Fact]
    public void A_head_reused_for_the_next_request_keeps_nothing_of_the_last()
    {
        var head = new RequestHead();
        var first = "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nUpgrade: x\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n"u8;
        Assert.Equal(HeadError.None, RequestHeadParser.TryParse(first, head, RequestLimits.Default));
        var second = "GET /b HTTP/1.1\r\nHost: b\r\n\r\n"u8;
        Assert.Equal(HeadError.None, RequestHeadParser.TryParse(second, head, RequestLimits.Default));
        Assert.Equal((-1L, false, false, false, true, 1), (head.ContentLength, head.Chunked, head.Upgrade, head.Expect, head.KeepAlive, head.HeaderCount));
    }

    [Fact]
    public void Stays_in_bounds_and_reparses_alike_on_mutated_input()
    {
        var seeds = new[]
        {
            "GET /a/b?c=d%20e HTTP/1.1\r\nHost: app.example.com:80\r\nAccept: */*\r\n\r\n",
            "POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive, close\r\n\r\n",
            "PUT /q HTTP/1.0\r\nHost: 10.0.0.1\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nabc",
        }.Select(Encoding.ASCII.GetBytes).ToArray();
        var interesting = "\r\n :/?%.#\\\t\0\u007f0Hh"u8.ToArray();
        var random = new Random(16);
        var head = new RequestHead();
        var again = new RequestHead();
        var limits = new RequestLimits(48, 160, 6);
        for (var i = 0; i < 200_000; i++)
        {
            var bytes = new List<byte>(seeds[i % seeds.Length]);
            for (var n = random.Next(1, 4); n > 0; n--)
            {
                var at = random.Next(bytes.Count + 1);
                var value = random.Next(3) == 0 ? (byte)random.Next(256) : interesting[random.Next(interesting.Length)];
                if (at < bytes.Count && random.Next(2) == 0)
                {
                    bytes[at] = value;
                }
                else
                {
                    bytes.Insert(at, value);
                }
            }

            var input = bytes.ToArray();
            if (RequestHeadParser.TryParse(input, head, limits) != HeadError.None)
            {
                continue;
            }

            Assert.InRange(head.Length, 4, input.Length);
            Assert.InRange(head.TargetStart + head.TargetLength, head.MethodLength + 2, head.Length);
            Assert.InRange(head.PathLength, 1, head.TargetLength);
            Assert.Equal((byte)'/', input[head.TargetStart]);
            Assert.InRange(head.HostStart + head.HostLength, 1, head.Length);
            Assert.False(head.Chunked && head.ContentLength >= 0);
            Assert.Equal(HeadError.None, RequestHeadParser.TryParse(input.AsSpan(0, head.Length), again, limits));
            Assert.Equal((head.TargetStart, head.TargetLength, head.HostStart, head.HeaderCount), (again.TargetStart, again.TargetLength, again.HostStart, again.HeaderCount));
        }
    }
}
