using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Alb.Core.Http1;
using Alb.Core.Routing;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Alb.Tests.Serving;

/// <summary>
/// The request head parser of alb's own HTTP/1.1 server promises a strict subset of what Kestrel accepts, read alike.
/// Checked against Kestrel itself, as alb serves today: mutated request heads that the parser accepts are sent over raw
/// sockets, and Kestrel must accept each one (no 400, 414, 431 or 505) and alb must hand the origin the same method and
/// the target the parser read, normalised as alb normalises every path (<see cref="RequestPath"/>: slashes merged).
/// </summary>
public sealed class RequestHeadParityTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestOrigin _origin = null!;
    private AlbInstance _alb = null!;

    public async Task InitializeAsync()
    {
        _origin = await TestOrigin.StartAsync("o");
        var dir = new ManifestDir();
        dir.Write("all.yaml", ManifestDir.Backend("o", [_origin.Port]) + ManifestDir.Ingress("app", "app.example.com", "/", "o"));
        _alb = await AlbInstance.StartAsync(dir);
    }

    public async Task DisposeAsync()
    {
        await _alb.DisposeAsync();
        await _origin.DisposeAsync();
    }

    [Fact]
    public async Task Every_head_the_parser_accepts_kestrel_accepts_with_the_same_method_and_target()
    {
        var seeds = new[]
        {
            "GET /a/b?c=d HTTP/1.1\r\nHost: app.example.com\r\nAccept: */*\r\n\r\n",
            "GET /x;y=1/z?q=%41&r=~ HTTP/1.1\r\nHost: app.example.com:80\r\nX-A: v\r\n\r\n",
            "HEAD /h HTTP/1.1\r\nHost: APP.example.com\r\nConnection: close\r\n\r\n",
            "GET /v HTTP/1.0\r\nHost: app.example.com\r\nUser-Agent: t/1\r\n\r\n",
            "DELETE /d/'(x)'*,+ HTTP/1.1\r\nHost: app.example.com\r\nX-Q: \"a b\"\t\r\n\r\n",
        };
        var interesting = " /?%.#\\:@;=&!$'()*+,~-_\t\"<>[]{}|^`0aA"u8.ToArray();
        var random = new Random(17);
        var head = new RequestHead();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var checkedCount = 0;
        var compared = 0;
        for (var attempt = 0; attempt < 50_000 && checkedCount < 250; attempt++)
        {
            var bytes = new List<byte>(Encoding.ASCII.GetBytes(seeds[attempt % seeds.Length]));
            for (var n = random.Next(1, 4); n > 0; n--)
            {
                var at = random.Next(bytes.Count - 2); // not after the final CRLF
                var value = random.Next(4) == 0 ? (byte)random.Next(0x20, 0x7f) : interesting[random.Next(interesting.Length)];
                if (random.Next(2) == 0)
                {
                    bytes[at] = value;
                }
                else
                {
                    bytes.Insert(at, value);
                }
            }

            var input = bytes.ToArray();
            var text = Encoding.ASCII.GetString(input);
            if (RequestHeadParser.TryParse(input, head, RequestLimits.Default) != HeadError.None || head.Length != input.Length || head.Framing != BodyFraming.None || !seen.Add(text))
            {
                continue;
            }

            checkedCount++;
            var method = Encoding.ASCII.GetString(input, 0, head.MethodLength);
            var target = Encoding.ASCII.GetString(input, head.TargetStart, head.TargetLength);
            var host = Encoding.ASCII.GetString(input, head.HostStart, head.HostLength).Split(':')[0];
            var path = target[..head.PathLength];
            if (!RequestPath.TryNormalize(path, out var forward, out _))
            {
                checkedCount--; // alb itself answers 400 for this path: not Kestrel's verdict, so not counted
                continue;
            }

            var answer = await ExchangeAsync(input);
            var status = RawHttp.Status(answer);
            Assert.True(status is not (400 or 414 or 431 or 505), $"Kestrel refused a head the parser accepts ({status}):\n{text}\n{answer}");
            if (status == 200 && method != "HEAD")
            {
                var reader = new Utf8JsonReader(Encoding.ASCII.GetBytes(answer[answer.IndexOf('{', StringComparison.Ordinal)..])); // the first answer's JSON
                using var json = JsonDocument.ParseValue(ref reader);
                Assert.Equal(method, json.RootElement.GetProperty("method").GetString());
                Assert.Equal(forward + target[head.PathLength..], json.RootElement.GetProperty("target").GetString());
                Assert.Equal("app.example.com", host, ignoreCase: true);
                compared++;
            }
        }

        output.WriteLine($"{checkedCount} accepted heads checked, {compared} targets compared at the origin");
        Assert.True(checkedCount >= 250, $"only {checkedCount} mutated heads were accepted");
        Assert.True(compared >= 150, $"only {compared} answers came from the origin");
    }

    /// <summary>
    /// Sends the request and a second one behind it (so the first is not cut short by the client's end) and reads to
    /// the close, which the second one's <c>Connection: close</c> (or the first's) asks for.
    /// </summary>
    private async Task<string> ExchangeAsync(byte[] request)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, _alb.HttpPort);
        await socket.SendAsync(request);
        await socket.SendAsync("GET /end HTTP/1.1\r\nHost: app.example.com\r\nConnection: close\r\n\r\n"u8.ToArray());
        return await RawHttp.ReadToCloseAsync(socket, TimeSpan.FromSeconds(10));
    }
}
