using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;

namespace Alb.Tests.Annotations;

/// <summary>use-proxy-protocol: the PROXY header's source is the client (from a trusted balancer); no header, no service.</summary>
public sealed class ProxyProtocolTests : IAsyncLifetime
{
    private TestOrigin _origin = null!;
    private AlbInstance _alb = null!;

    public async Task InitializeAsync()
    {
        _origin = await TestOrigin.StartAsync("o");
        var dir = new ManifestDir();
        dir.Write("all.yaml", ManifestDir.Backend("o", [_origin.Port]) + ManifestDir.Ingress("pp", "pp.example.com", "/", "o") + """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: alb, namespace: ingress}
            data:
              use-proxy-protocol: "true"
              proxy-real-ip-cidr: 127.0.0.1/32
            """);
        _alb = await AlbInstance.StartAsync(dir, "--configmap", "ingress/alb");
    }

    public async Task DisposeAsync()
    {
        await _alb.DisposeAsync();
        await _origin.DisposeAsync();
    }

    private async Task<string> SendAsync(byte[] header)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, _alb.HttpPort);
        await socket.SendAsync(header.Concat(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: pp.example.com\r\nConnection: close\r\n\r\n")).ToArray());
        return await RawHttp.ReadAsync(socket, TimeSpan.FromSeconds(3));
    }

    private static string RealIp(string response) =>
        JsonDocument.Parse(response[response.IndexOf('{', StringComparison.Ordinal)..(response.LastIndexOf('}') + 1)]).RootElement.GetProperty("headers").GetProperty("x-real-ip").GetString()!;

    [Fact]
    public async Task A_v1_header_names_the_client()
    {
        var response = await SendAsync(Encoding.ASCII.GetBytes("PROXY TCP4 203.0.113.7 10.0.0.1 5555 80\r\n"));
        Assert.Equal(200, RawHttp.Status(response));
        Assert.Equal("203.0.113.7", RealIp(response));
    }

    [Fact]
    public async Task A_v2_header_names_the_client()
    {
        byte[] v2 = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, 0x11, 0x00, 12, 198, 51, 100, 9, 10, 0, 0, 1, 0x15, 0xB3, 0x00, 0x50];
        var response = await SendAsync(v2);
        Assert.Equal(200, RawHttp.Status(response));
        Assert.Equal("198.51.100.9", RealIp(response));
    }

    [Fact]
    public async Task A_connection_without_a_header_is_closed_unanswered()
    {
        var before = _origin.Requests;
        var response = await SendAsync([]);
        Assert.Equal("", response);
        Assert.Equal(before, _origin.Requests);
    }
}
