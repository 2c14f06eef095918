using System.Text;
using Alb.Core.Http1;
using Xunit;

namespace Alb.Core.Tests.Http1;

public sealed class ResponseHeadParserTests
{
    private static (HeadError Error, ResponseHead Head, byte[] Bytes) Parse(string text, HeadLimits? limits = null)
    {
        var bytes = Encoding.Latin1.GetBytes(text);
        var head = new ResponseHead();
        return (ResponseHeadParser.TryParse(bytes, head, limits ?? HeadLimits.Default), head, bytes);
    }

    private static string Name(ResponseHead head, byte[] bytes, int i) => Encoding.Latin1.GetString(bytes, head.Headers[i].NameStart, head.Headers[i].NameLength);

    private static string Value(ResponseHead head, byte[] bytes, int i) => Encoding.Latin1.GetString(bytes, head.Headers[i].ValueStart, head.Headers[i].ValueLength);

    [Fact]
    public void Accepts_a_content_length_head_and_reports_its_fields_and_length()
    {
        var text = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nX-Empty:\r\nX-Ws: \t a b \t\r\n\r\nok";
        var (error, head, bytes) = Parse(text);
        Assert.Equal(HeadError.None, error);
        Assert.Equal(text.Length - 2, head.Length);
        Assert.Equal(200, head.Status);
        Assert.Equal(1, head.MinorVersion);
        Assert.Equal("OK", Encoding.ASCII.GetString(bytes, head.ReasonStart, head.ReasonLength));
        Assert.Equal(4, head.HeaderCount);
        Assert.Equal("Content-Type", Name(head, bytes, 0));
        Assert.Equal("text/plain", Value(head, bytes, 0));
        Assert.Equal("", Value(head, bytes, 2));
        Assert.Equal("a b", Value(head, bytes, 3));
        Assert.Equal(2, head.ContentLength);
        Assert.Equal(BodyFraming.ContentLength, head.Framing(headRequest: false));
        Assert.True(head.KeepAlive(headRequest: false));
    }

    [Fact]
    public void Accepts_chunked_any_case_and_a_status_line_without_reason()
    {
        var (error, head, _) = Parse("HTTP/1.1 201\r\ntransfer-encoding: Chunked\r\n\r\n");
        Assert.Equal(HeadError.None, error);
        Assert.Equal(201, head.Status);
        Assert.Equal(0, head.ReasonLength);
        Assert.Equal(BodyFraming.Chunked, head.Framing(headRequest: false));
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\n\r\n", false, "UntilClose", false)]
    [InlineData("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n", false, "None", true)]
    [InlineData("HTTP/1.1 304 Not Modified\r\n\r\n", false, "None", true)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", true, "None", true)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: foo, Close\r\n\r\n", false, "ContentLength", false)]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\n", false, "ContentLength", false)]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\n", false, "ContentLength", true)]
    public void Frames_the_body_and_decides_keep_alive_as_RFC_9112_says(string text, bool headRequest, string framing, bool keepAlive)
    {
        var (error, head, _) = Parse(text);
        Assert.Equal(HeadError.None, error);
        Assert.Equal(Enum.Parse<BodyFraming>(framing), head.Framing(headRequest));
        Assert.Equal(keepAlive, head.KeepAlive(headRequest));
    }

    [Fact]
    public void Reports_interim_answers()
    {
        var (error, head, _) = Parse("HTTP/1.1 103 Early Hints\r\nLink: </a>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\n");
        Assert.Equal(HeadError.None, error);
        Assert.True(head.IsInterim);
        Assert.Equal(BodyFraming.None, head.Framing(headRequest: false));
    }

    [Theory]
    [InlineData("")]
    [InlineData("HTTP/1.1 200 OK\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r")]
    public void Asks_for_more_when_the_head_is_not_complete(string text) => Assert.Equal(HeadError.Incomplete, Parse(text).Error);

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\n\r\n", HeadError.ObsFold)]
    [InlineData("HTTP/1.1 200 OK\r\nX-A: a\r\n\tb\r\n\r\n", HeadError.ObsFold)]
    [InlineData("HTTP/1.1 200 OK\nX-A: a\r\n\r\n", HeadError.BareLineFeed)]
    [InlineData("HTTP/1.1 200 OK\r\nX-A: a\n\r\n", HeadError.BareLineFeed)]
    [InlineData("HTTP/1.1 200 OK\n\n", HeadError.BareLineFeed)]
    [InlineData("HTTP/1.1 200 OK\r\nX-A: a\rb\r\n\r\n", HeadError.BareCarriageReturn)]
    [InlineData("HTTP/1.1 200 O\rK\r\n\r\n", HeadError.BareCarriageReturn)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n", HeadError.DuplicateContentLength)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n", HeadError.DuplicateContentLength)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\n", HeadError.BadContentLength)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\n", HeadError.BadContentLength)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", HeadError.BadContentLength)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n", HeadError.BadContentLength)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", HeadError.BadContentLength)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 9999999999999999999\r\n\r\n", HeadError.BadContentLength)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n", HeadError.TransferEncodingWithContentLength)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n", HeadError.TransferEncodingWithContentLength)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", HeadError.UnsupportedTransferEncoding)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", HeadError.UnsupportedTransferEncoding)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\n\r\n", HeadError.UnsupportedTransferEncoding)]
    [InlineData("HTTP/1.1 200 OK\r\nX A: a\r\n\r\n", HeadError.BadHeaderName)]
    [InlineData("HTTP/1.1 200 OK\r\nX-A : a\r\n\r\n", HeadError.BadHeaderName)]
    [InlineData("HTTP/1.1 200 OK\r\n: a\r\n\r\n", HeadError.BadHeaderName)]
    [InlineData("HTTP/1.1 200 OK\r\nX-A\r\n\r\n", HeadError.BadHeaderName)]
    [InlineData("HTTP/1.1 200 OK\r\nX-A: a\0b\r\n\r\n", HeadError.BadHeaderValue)]
    [InlineData("HTTP/1.1 200 OK\r\nX-A: a\u007fb\r\n\r\n", HeadError.BadHeaderValue)]
    [InlineData("HTTP/2 200 OK\r\n\r\n", HeadError.BadVersion)]
    [InlineData("HTTP/1.2 200 OK\r\n\r\n", HeadError.BadVersion)]
    [InlineData("HTTPS/1.1 200 OK\r\n\r\n", HeadError.BadStatusLine)]
    [InlineData("\r\n\r\n", HeadError.BadStatusLine)]
    [InlineData("HTTP/1.1 2000 OK\r\n\r\n", HeadError.BadStatusCode)]
    [InlineData("HTTP/1.1 20x OK\r\n\r\n", HeadError.BadStatusCode)]
    [InlineData("HTTP/1.1 099 Low\r\n\r\n", HeadError.BadStatusCode)]
    [InlineData("HTTP/1.1 600 High\r\n\r\n", HeadError.BadStatusCode)]
    [InlineData("HTTP/1.1 200 O\u0001K\r\n\r\n", HeadError.BadStatusLine)]
    public void Rejects_malformed_heads_with_a_reason(string text, HeadError expected) => Assert.Equal(expected, Parse(text).Error);

    [Fact]
    public void Rejects_a_bare_line_feed_before_the_head_is_complete()
    {
        // No CRLFCRLF yet, but a bare LF already: refused at once rather than waiting for a terminator that may never come.
        Assert.Equal(HeadError.BareLineFeed, Parse("HTTP/1.1 200 OK\nX-A: a").Error);
    }

    [Fact]
    public void Rejects_a_head_over_the_byte_limit_complete_or_not()
    {
        var limits = new HeadLimits(64, 10);
        var big = "HTTP/1.1 200 OK\r\nX-A: " + new string('a', 60) + "\r\n\r\n";
        Assert.Equal(HeadError.TooLarge, Parse(big, limits).Error);
        Assert.Equal(HeadError.TooLarge, Parse(big[..70], limits).Error);
        Assert.Equal(HeadError.Incomplete, Parse(big[..40], limits).Error);
    }

    [Fact]
    public void Accepts_a_head_exactly_at_the_byte_limit()
    {
        var text = "HTTP/1.1 200 OK\r\nX-A: aaaa\r\n\r\n";
        Assert.Equal(HeadError.None, Parse(text, new HeadLimits(text.Length, 10)).Error);
        Assert.Equal(HeadError.TooLarge, Parse(text, new HeadLimits(text.Length - 1, 10)).Error);
    }

    [Fact]
    public void Rejects_more_fields_than_the_limit()
    {
        var text = "HTTP/1.1 200 OK\r\n" + string.Concat(Enumerable.Range(0, 5).Select(i => $"X-{i}: v\r\n")) + "\r\n";
        Assert.Equal(HeadError.None, Parse(text, new HeadLimits(4096, 5)).Error);
        Assert.Equal(HeadError.TooManyHeaders, Parse(text, new HeadLimits(4096, 4)).Error);
    }

    [Fact]
    public void Keeps_obs_text_in_values_and_grows_past_sixteen_fields()
    {
        var text = "HTTP/1.1 200 OK\r\nX-Latin: caf\u00e9\r\n" + string.Concat(Enumerable.Range(0, 40).Select(i => $"X-{i}: {i}\r\n")) + "\r\n";
        var (error, head, bytes) = Parse(text);
        Assert.Equal(HeadError.None, error);
        Assert.Equal(41, head.HeaderCount);
        Assert.Equal("caf\u00e9", Value(head, bytes, 0));
        Assert.Equal("39", Value(head, bytes, 40));
    }

    [Fact]
    public void Resets_between_answers_on_one_connection()
    {
        var head = new ResponseHead();
        Assert.Equal(HeadError.None, ResponseHeadParser.TryParse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\n"u8, head, HeadLimits.Default));
        Assert.Equal(HeadError.None, ResponseHeadParser.TryParse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"u8, head, HeadLimits.Default));
        Assert.Equal(-1, head.ContentLength);
        Assert.False(head.ConnectionClose);
        Assert.Equal(1, head.HeaderCount);
    }
}
