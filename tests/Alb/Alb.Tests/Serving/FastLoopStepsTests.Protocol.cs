using System.Net;
using System.Net.Sockets;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;

namespace Alb.Tests.Serving;

/// <summary>The loop's HTTP/1.0, OPTIONS and CORS preflights, custom-headers and limit-connections, against the general path.</summary>
public sealed partial class FastLoopStepsTests
{
    [Theory]
    [InlineData("GET /api/x HTTP/1.0\r\nHost: steps.example.com\r\n\r\n")]
    [InlineData("GET /api/x HTTP/1.0\r\nHost: steps.example.com\r\nConnection: keep-alive\r\n\r\n")]
    [InlineData("GET /api/stream?chunks=3&ms=1 HTTP/1.0\r\nHost: steps.example.com\r\nConnection: keep-alive\r\n\r\n")] // a chunked answer: close-delimited
    [InlineData("GET /api/stream?chunks=2&ms=1 HTTP/1.0\r\nHost: steps.example.com\r\n\r\n")]
    [InlineData("HEAD /api/x HTTP/1.0\r\nHost: steps.example.com\r\nConnection: keep-alive\r\n\r\n")]
    [InlineData("GET /d HTTP/1.0\r\nHost: denied.example.com\r\n\r\n")]
    [InlineData("GET /d HTTP/1.0\r\nHost: denied.example.com\r\nConnection: keep-alive\r\n\r\n")]
    [InlineData("POST /api/body HTTP/1.0\r\nHost: steps.example.com\r\nContent-Length: 5\r\n\r\nhello")]
    [InlineData("GET /api/x HTTP/1.0\r\n\r\n")] // no Host: handed over
    public async Task Serves_HTTP_1_0_as_the_general_path_does(string request)
    {
        request = request.Replace("\r\n\r\n", "\r\nX-Request-ID: fixed-id\r\n\r\n", StringComparison.Ordinal);
        var loop = await RawHttp.ExchangeAsync(_loop.HttpPort, request, TimeSpan.FromSeconds(1));
        var general = await RawHttp.ExchangeAsync(_general.HttpPort, request, TimeSpan.FromSeconds(1));
        var (loopAnswer, generalAnswer) = (AnswerParity.Normalised(loop.Text, _loop.HttpPort), AnswerParity.Normalised(general.Text, _general.HttpPort));
        Assert.Equal(generalAnswer.Status, loopAnswer.Status);
        Assert.Equal(generalAnswer.Fields, loopAnswer.Fields);
        Assert.Equal(generalAnswer.Body, loopAnswer.Body);
        Assert.Equal(general.Closed, loop.Closed); // kept open only when asked for, and only with a framed answer
        if (request.Contains("Host:", StringComparison.Ordinal))
        {
            Assert.DoesNotContain("alb_fast_handover_total{reason=\"method\"}", await _loop.MetricsAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Sets_custom_headers_itself_replacing_the_backends()
    {
        var answer = await RawHttp.SendAsync(_loop.HttpPort, "GET /headers?X-Team=backend&X-Keep=1 HTTP/1.1\r\nHost: custom.example.com\r\nConnection: close\r\n\r\n");
        Assert.Equal(200, RawHttp.Status(answer));
        Assert.Contains("X-Team: payments\r\n", answer, StringComparison.Ordinal);
        Assert.Contains("X-Frame-Options: DENY\r\n", answer, StringComparison.Ordinal);
        Assert.Contains("X-Keep: 1\r\n", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("X-Team: backend", answer, StringComparison.Ordinal);
        var denied = await RawHttp.SendAsync(_loop.HttpPort, "GET /x HTTP/1.1\r\nHost: custom-denied.example.com\r\nConnection: close\r\n\r\n");
        Assert.Equal(403, RawHttp.Status(denied));
        Assert.Contains("X-Team: payments\r\n", denied, StringComparison.Ordinal); // on alb's own refusals too
        Assert.DoesNotContain("alb_fast_handover_total{reason=\"route\"}", await _loop.MetricsAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answers_a_preflight_itself_and_forwards_an_OPTIONS_CORS_does_not_take()
    {
        var preflight = await RawHttp.SendAsync(_loop.HttpPort, "OPTIONS /api/x HTTP/1.1\r\nHost: steps.example.com\r\nOrigin: https://app.example.com\r\nConnection: close\r\n\r\n");
        Assert.Equal(204, RawHttp.Status(preflight));
        Assert.Contains("Access-Control-Allow-Origin: https://app.example.com\r\n", preflight, StringComparison.Ordinal);
        var forwarded = await RawHttp.SendAsync(_loop.HttpPort, "OPTIONS /api/x HTTP/1.1\r\nHost: steps.example.com\r\nOrigin: https://evil.example.com\r\nConnection: close\r\n\r\n");
        Assert.Equal(200, RawHttp.Status(forwarded));
        Assert.Contains("\"method\":\"OPTIONS\"", forwarded, StringComparison.Ordinal);
        var metrics = await _loop.MetricsAsync();
        Assert.DoesNotContain("alb_fast_handover_total{reason=\"method\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("alb_upstream_forward_total{path=\"loop\"} 1", metrics, StringComparison.Ordinal); // the preflight reached no backend
    }

    [Fact]
    public async Task Limits_connections_per_address_for_a_requests_length_as_the_general_path_does()
    {
        // limit-connections 1: while one request is in flight a second from the same address is refused (503); once
        // the first is answered its slot is free again, on the loop as on the general path.
        var loop = await StatusesAsync(_loop.HttpPort);
        var general = await StatusesAsync(_general.HttpPort);
        Assert.Equal([503, 200, 200], loop);
        Assert.Equal(general, loop);
        var metrics = await _loop.MetricsAsync();
        Assert.DoesNotContain("alb_fast_handover_total{reason=\"route\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("status=\"503\"", metrics, StringComparison.Ordinal);

        static async Task<List<int>> StatusesAsync(int port)
        {
            using var slow = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await slow.ConnectAsync(IPAddress.Loopback, port);
            await slow.SendAsync("GET /slow?ms=1500 HTTP/1.1\r\nHost: conn.example.com\r\nConnection: close\r\n\r\n"u8.ToArray());
            await Task.Delay(300); // the slow request holds the slot
            var statuses = new List<int> { RawHttp.Status(await RawHttp.SendAsync(port, "GET /second HTTP/1.1\r\nHost: conn.example.com\r\nConnection: close\r\n\r\n")) };
            statuses.Add(RawHttp.Status(await RawHttp.ReadToCloseAsync(slow, TimeSpan.FromSeconds(10))));
            statuses.Add(RawHttp.Status(await RawHttp.SendAsync(port, "GET /third HTTP/1.1\r\nHost: conn.example.com\r\nConnection: close\r\n\r\n")));
            return statuses;
        }
    }
}
