using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;

namespace Alb.Tests.Annotations;

/// <summary>
/// proxy-request-buffering (on by default, as ingress-nginx): the body is read whole before a backend sees the
/// request, so a slow, cut or malformed upload never reaches one; off streams it.
/// </summary>
public sealed class RequestBufferingTests : IAsyncLifetime
{
    private TestOrigin _origin = null!;
    private AlbInstance _alb = null!;

    public async Task InitializeAsync()
    {
        _origin = await TestOrigin.StartAsync("o");
        var dir = new ManifestDir();
        dir.Write("all.yaml", ManifestDir.Backend("o", [_origin.Port]) +
            ManifestDir.Ingress("buffered", "buffered.example.com", "/", "o", annotations: new Dictionary<string, string> { ["nginx.ingress.kubernetes.io/client-body-buffer-size"] = "4k" }) +
            ManifestDir.Ingress("streamed", "streamed.example.com", "/", "o", annotations: new Dictionary<string, string> { ["nginx.ingress.kubernetes.io/proxy-request-buffering"] = "off" }));
        _alb = await AlbInstance.StartAsync(dir);
    }

    public async Task DisposeAsync()
    {
        await _alb.DisposeAsync();
        await _origin.DisposeAsync();
    }

    [Fact]
    public async Task A_malformed_chunked_body_reaches_no_backend()
    {
        var before = _origin.Requests;
        var response = await RawHttp.SendAsync(_alb.HttpPort,
            "POST /body HTTP/1.1\r\nHost: buffered.example.com\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nZZ\r\nbad\r\n0\r\n\r\n");
        Assert.Equal(400, RawHttp.Status(response));
        Assert.Equal(before, _origin.Requests);
    }

    [Fact]
    public async Task A_slow_upload_reaches_the_backend_only_once_complete_and_with_a_content_length()
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, _alb.HttpPort);
        var before = _origin.Requests;
        await socket.SendAsync(Encoding.ASCII.GetBytes("POST /echo HTTP/1.1\r\nHost: buffered.example.com\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n" + new string('a', 1024) + "\r\n"));
        await Task.Delay(500);
        Assert.Equal(before, _origin.Requests); // the backend has not been contacted while the body is incomplete

        await socket.SendAsync(Encoding.ASCII.GetBytes("2000\r\n" + new string('b', 8192) + "\r\n0\r\n\r\n"));
        var response = await RawHttp.ReadAsync(socket, TimeSpan.FromSeconds(2));
        Assert.Equal(200, RawHttp.Status(response));
        var body = JsonDocument.Parse(response[response.IndexOf('{', StringComparison.Ordinal)..(response.LastIndexOf('}') + 1)]).RootElement;
        var headers = body.GetProperty("headers");
        Assert.Equal((1024 + 8192).ToString(System.Globalization.CultureInfo.InvariantCulture), headers.GetProperty("content-length").GetString());
        Assert.False(headers.TryGetProperty("transfer-encoding", out _));
    }

    [Fact]
    public async Task A_body_larger_than_the_memory_buffer_arrives_whole()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/body") { Content = new ByteArrayContent(new byte[300_000]) };
        request.Headers.Host = "buffered.example.com";
        request.Headers.TransferEncodingChunked = true;
        using var response = await _alb.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(300_000, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("bytes").GetInt64());
    }

    [Fact]
    public async Task With_buffering_off_the_backend_sees_the_request_before_the_body_ends()
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, _alb.HttpPort);
        var before = _origin.Requests;
        await socket.SendAsync(Encoding.ASCII.GetBytes("POST /body HTTP/1.1\r\nHost: streamed.example.com\r\nContent-Length: 10\r\n\r\n12345"));
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (_origin.Requests == before && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(before + 1, _origin.Requests);
        await socket.SendAsync(Encoding.ASCII.GetBytes("67890"));
        Assert.Equal(200, RawHttp.Status(await RawHttp.ReadAsync(socket, TimeSpan.FromSeconds(2))));
    }
}
