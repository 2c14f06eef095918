using System.Text;
using VipDaemon.Core.Admin;
using Xunit;

namespace VipDaemon.Core.Tests.Admin;

public class RequestHeadTests
{
    private static bool Parse(string head, out RequestHead request, out string? error) =>
        RequestHead.TryParse(Encoding.Latin1.GetBytes(head), out request, out error);

    [Fact]
    public void Accepts_what_curl_sends()
    {
        Assert.True(Parse("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9105\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n", out var request, out var error), error);
        Assert.Equal(new RequestHead("GET", "/metrics", "*/*"), request);
    }

    [Fact]
    public void Accepts_http_1_0_and_drops_the_query()
    {
        Assert.True(Parse("HEAD /status?x=1&y HTTP/1.0\r\n\r\n", out var request, out _));
        Assert.Equal(new RequestHead("HEAD", "/status", null), request);
    }

    [Fact]
    public void Accepts_any_token_method_so_the_caller_can_answer_405()
    {
        Assert.True(Parse("PURGE /healthz HTTP/1.1\r\n\r\n", out var request, out _));
        Assert.Equal("PURGE", request.Method);
    }

    [Fact]
    public void Joins_several_accept_headers_and_matches_the_name_in_any_case()
    {
        Assert.True(Parse("GET /metrics HTTP/1.1\r\naccept: text/plain\r\nACCEPT:  application/openmetrics-text \r\n\r\n", out var request, out _));
        Assert.Equal("text/plain,application/openmetrics-text", request.Accept);
    }

    [Theory]
    [InlineData("GET /healthz HTTP/1.1\n\n", "no CRLF")]
    [InlineData("GET /healthz\r\n\r\n", "no request target")]
    [InlineData("GET  /healthz HTTP/1.1\r\n\r\n", "no request target")]
    [InlineData(" GET /healthz HTTP/1.1\r\n\r\n", "method")]
    [InlineData("G(T /healthz HTTP/1.1\r\n\r\n", "method")]
    [InlineData("GET /healthz HTTP/2.0\r\n\r\n", "version")]
    [InlineData("GET /healthz HTTP/1.1 \r\n\r\n", "version")]
    [InlineData("GET /healthz http/1.1\r\n\r\n", "version")]
    [InlineData("GET http://127.0.0.1/healthz HTTP/1.1\r\n\r\n", "origin-form")]
    [InlineData("GET * HTTP/1.1\r\n\r\n", "origin-form")]
    [InlineData("GET /health\u0001z HTTP/1.1\r\n\r\n", "origin-form")]
    [InlineData("GET /h\u00e9 HTTP/1.1\r\n\r\n", "origin-form")]
    [InlineData("GET /healthz HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n", "header")]
    [InlineData("GET /healthz HTTP/1.1\r\nHost : 127.0.0.1\r\n\r\n", "header")]
    [InlineData("GET /healthz HTTP/1.1\r\n: 127.0.0.1\r\n\r\n", "header")]
    [InlineData("GET /healthz HTTP/1.1\r\nAccept: a\r\n  folded\r\n\r\n", "folded")]
    [InlineData("GET /healthz HTTP/1.1\r\nAccept: a\u0000b\r\n\r\n", "control character")]
    [InlineData("GET /healthz HTTP/1.1\r\nAccept: a\rb\r\n\r\n", "control character")]
    [InlineData("GET /healthz HTTP/1.1\r\nAccept: a", "without CRLF")]
    public void Rejects_a_malformed_head_with_a_reason(string head, string reason)
    {
        Assert.False(Parse(head, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n\r\n", 0, 18)]
    [InlineData("GET / HTTP/1.1\r\n\r\nextra", 0, 18)]
    [InlineData("GET / HTTP/1.1\r\n\r\n", 17, 18)] // the caller had 17 bytes before its last read
    [InlineData("GET / HTTP/1.1\r\n\r", 0, -1)]
    [InlineData("GET / HTTP/1.1\n\n", 0, -1)]
    public void Finds_the_end_of_the_head_across_reads(string received, int searchFrom, int end) =>
        Assert.Equal(end, RequestHead.FindEnd(Encoding.ASCII.GetBytes(received), searchFrom));
}
