using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Alb.Fast;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;

namespace Alb.Tests.Serving;

/// <summary>
/// HTTPS on the front end's loops (docs/performance.md, step 6): the handshake and the records on the loop, HTTP/1.1
/// served there with the https scheme (X-Forwarded-Proto, -Port, HSTS, no ssl-redirect), the same answers as Kestrel's
/// HTTPS gives; a client offering HTTP/2 given to Kestrel's TLS untouched, and the requests the loop does not serve
/// handed to Kestrel decrypted, on the same connection.
/// </summary>
public sealed class FastLoopTlsTests : IAsyncLifetime
{
    private const string Prefix = "nginx.ingress.kubernetes.io/";
    private TestOrigin _origin = null!;
    private AlbInstance _loop = null!;
    private AlbInstance _general = null!;

    public async Task InitializeAsync()
    {
        _origin = await TestOrigin.StartAsync("o");
        var dir = new ManifestDir();
        dir.Write("all.yaml", ManifestDir.Backend("o", [_origin.Port])
            + ManifestDir.Ingress("app", "secure.example.com", "/", "o", tlsSecret: "secure-tls")
            + ManifestDir.Ingress("forced", "forced.secure.example.com", "/", "o", tlsSecret: "secure-tls", annotations: new Dictionary<string, string>
            {
                [Prefix + "force-ssl-redirect"] = "true",
            })
            + ManifestDir.Ingress("root", "root.secure.example.com", "/", "o", tlsSecret: "secure-tls", annotations: new Dictionary<string, string>
            {
                [Prefix + "app-root"] = "/app",
                [Prefix + "enable-cors"] = "true",
            })
            + ManifestDir.Ingress("denied", "denied.secure.example.com", "/", "o", tlsSecret: "secure-tls", annotations: new Dictionary<string, string>
            {
                [Prefix + "denylist-source-range"] = "127.0.0.1/32",
            })
            + ManifestDir.Ingress("counted", "counted.secure.example.com", "/", "o", tlsSecret: "secure-tls", annotations: new Dictionary<string, string>
            {
                [Prefix + "proxy-buffering"] = "on", // not on the loop: its requests go to Kestrel
            })
            + TestCertificates.SecretYaml("secure.example.com", "secure-tls") + """

            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: alb, namespace: ingress}
            data:
              client-body-timeout: "1"
            """);
        _loop = await AlbInstance.StartAsync(dir, new Dictionary<string, string> { [FastFrontEnd.Variable] = "1" }, "--configmap", "ingress/alb");
        _general = await AlbInstance.StartAsync(dir, new Dictionary<string, string> { [FastFrontEnd.Variable] = "0" }, "--configmap", "ingress/alb");
    }

    public async Task DisposeAsync()
    {
        await _loop.DisposeAsync();
        await _general.DisposeAsync();
        await _origin.DisposeAsync();
    }

    [Theory]
    [InlineData("GET /a?x=1 HTTP/1.1\r\nHost: secure.example.com\r\n", "")]
    [InlineData("HEAD /a HTTP/1.1\r\nHost: secure.example.com\r\n", "")]
    [InlineData("GET /headers?Strict-Transport-Security=max-age=1&X-Keep=1 HTTP/1.1\r\nHost: secure.example.com\r\n", "")] // the backend's replaced
    [InlineData("GET /x/ HTTP/1.1\r\nHost: forced.secure.example.com\r\n", "")] // over HTTPS already: no redirect
    [InlineData("GET / HTTP/1.1\r\nHost: root.secure.example.com\r\nOrigin: https://o.example\r\n", "")] // https://… Location
    [InlineData("GET /d HTTP/1.1\r\nHost: denied.secure.example.com\r\n", "")]
    [InlineData("POST /body HTTP/1.1\r\nHost: secure.example.com\r\nContent-Length: 5\r\n", "hello")]
    [InlineData("GET /a HTTP/1.1\r\nHost: counted.secure.example.com\r\n", "")] // handed over decrypted: Kestrel's answer
    public async Task Answers_over_https_as_kestrels_https_does(string head, string body)
    {
        var request = head + "X-Request-ID: fixed-id\r\nConnection: close\r\n\r\n" + body;
        var loop = Normalised(await RawTls.SendAsync(_loop.HttpsPort, "secure.example.com", request), _loop);
        var general = Normalised(await RawTls.SendAsync(_general.HttpsPort, "secure.example.com", request), _general);
        Assert.Equal(general.Status, loop.Status);
        Assert.Equal(general.Fields, loop.Fields);
        Assert.Equal(general.Body, loop.Body);
        Assert.Contains("strict-transport-security: max-age=31536000; includeSubDomains", loop.Fields);
    }

    [Fact]
    public async Task Serves_keep_alive_requests_on_the_loop_with_the_https_scheme()
    {
        var before = await CounterAsync(_loop, "alb_upstream_forward_total{path=\"loop\"}");
        await using var ssl = await RawTls.ConnectAsync(_loop.HttpsPort, "secure.example.com");
        for (var i = 0; i < 3; i++)
        {
            await ssl.WriteAsync(Encoding.ASCII.GetBytes($"GET /k{i} HTTP/1.1\r\nHost: secure.example.com\r\n\r\n"));
            var answer = await RawTls.ReadAsync(ssl, TimeSpan.FromMilliseconds(400));
            Assert.Equal(200, RawHttp.Status(answer));
            Assert.Contains($"\"target\":\"/k{i}\"", answer, StringComparison.Ordinal);
            Assert.Contains("\"x-forwarded-proto\":\"https\"", answer, StringComparison.Ordinal);
            Assert.Contains($"\"x-forwarded-port\":\"{_loop.HttpsPort}\"", answer, StringComparison.Ordinal);
        }

        Assert.Equal(before + 3, await CounterAsync(_loop, "alb_upstream_forward_total{path=\"loop\"}"));
        Assert.Contains("alb_active_connections{listener=\"https\"} 1", await _loop.MetricsAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gives_a_client_offering_http2_to_kestrels_tls()
    {
        var before = await CounterAsync(_loop, "alb_fast_handover_total{reason=\"h2\"}");
        using var tls = _loop.CreateTlsClient("secure.example.com");
        for (var i = 0; i < 2; i++)
        {
            using var response = await tls.Client.GetAsync($"/h2-{i}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(HttpVersion.Version20, response.Version);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Contains("\"x-forwarded-proto\":\"https\"", body, StringComparison.Ordinal);
            Assert.Contains($"\"x-forwarded-port\":\"{_loop.HttpsPort}\"", body, StringComparison.Ordinal);
        }

        Assert.Equal("CN=secure.example.com", tls.LastSubject);
        Assert.Equal(before + 1, await CounterAsync(_loop, "alb_fast_handover_total{reason=\"h2\"}")); // one connection, two streams

        // A client offering both takes HTTP/2 from Kestrel; one offering HTTP/1.1 only is the loop's.
        await using var h1 = await RawTls.ConnectAsync(_loop.HttpsPort, "secure.example.com", alpn: "http/1.1");
        Assert.Equal("http/1.1", h1.NegotiatedApplicationProtocol.ToString());
        Assert.Equal(before + 1, await CounterAsync(_loop, "alb_fast_handover_total{reason=\"h2\"}"));
    }

    [Fact]
    public async Task Hands_a_request_it_does_not_serve_to_kestrel_on_the_same_connection_in_order()
    {
        var before = await CounterAsync(_loop, "alb_fast_handover_total{reason=\"route\"}");
        await using var ssl = await RawTls.ConnectAsync(_loop.HttpsPort, "secure.example.com");
        await ssl.WriteAsync(Encoding.ASCII.GetBytes(
            "GET /one HTTP/1.1\r\nHost: secure.example.com\r\n\r\n"
            + "GET /two HTTP/1.1\r\nHost: counted.secure.example.com\r\n\r\n"
            + "GET /three HTTP/1.1\r\nHost: secure.example.com\r\nConnection: close\r\n\r\n"));
        var all = await RawTls.ReadAsync(ssl, TimeSpan.FromSeconds(5));
        Assert.Equal([200, 200, 200], RawHttp.Statuses(all));
        var one = all.IndexOf("\"target\":\"/one\"", StringComparison.Ordinal);
        var two = all.IndexOf("\"target\":\"/two\"", StringComparison.Ordinal);
        var three = all.IndexOf("\"target\":\"/three\"", StringComparison.Ordinal);
        Assert.True(one >= 0 && one < two && two < three, all);
        Assert.Equal(before + 1, await CounterAsync(_loop, "alb_fast_handover_total{reason=\"route\"}"));
    }

    [Fact]
    public async Task A_slow_reader_gets_every_byte_of_a_large_answer_over_tls()
    {
        const int size = 8 * 1024 * 1024;
        await using var ssl = await RawTls.ConnectAsync(_loop.HttpsPort, "secure.example.com", receiveBuffer: 16 * 1024);
        await ssl.WriteAsync(Encoding.ASCII.GetBytes($"GET /big?bytes={size} HTTP/1.1\r\nHost: secure.example.com\r\nConnection: close\r\n\r\n"));
        await Task.Delay(1500); // alb's sends to this client block: it must pause the backend, not buffer 8 MiB

        using var all = new MemoryStream();
        await ssl.CopyToAsync(all).WaitAsync(TimeSpan.FromSeconds(30));
        var text = Encoding.ASCII.GetString(all.ToArray());
        var bodyStart = text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
        Assert.Contains($"Content-Length: {size}", text[..bodyStart], StringComparison.Ordinal);
        var body = text[bodyStart..];
        Assert.Equal(size, body.Length);
        for (var i = 0; i < body.Length; i += 997)
        {
            Assert.Equal((char)('0' + (i % 10)), body[i]);
        }
    }

    [Fact]
    public async Task A_body_that_stops_arriving_is_handed_over_decrypted_and_answered_408()
    {
        var before = _origin.Requests;
        await using var ssl = await RawTls.ConnectAsync(_loop.HttpsPort, "secure.example.com");
        await ssl.WriteAsync(Encoding.ASCII.GetBytes("POST /body HTTP/1.1\r\nHost: secure.example.com\r\nContent-Length: 100\r\n\r\n0123456789"));
        var started = DateTime.UtcNow;
        var answer = await RawTls.ReadAsync(ssl, TimeSpan.FromSeconds(8));
        Assert.Equal(408, RawHttp.Status(answer)); // Kestrel's, through the loop's SslStream: the loop's wait for the rest ended first
        Assert.InRange((DateTime.UtcNow - started).TotalSeconds, 0.8, 7.5);
        Assert.Equal(before, _origin.Requests);
        Assert.True(await CounterAsync(_loop, "alb_fast_handover_total{reason=\"body\"}") >= 1);
    }

    [Fact]
    public async Task Bytes_that_are_not_tls_cost_their_connection_only()
    {
        var before = await CounterAsync(_loop, "alb_fast_handover_total{reason=\"not_tls\"}");
        const string Plain = "GET / HTTP/1.1\r\nHost: secure.example.com\r\n\r\n";
        var answer = await RawHttp.SendAsync(_loop.HttpsPort, Plain, TimeSpan.FromSeconds(3));
        Assert.DoesNotContain("HTTP/1.1 200", answer, StringComparison.Ordinal);
        Assert.Equal(await RawHttp.SendAsync(_general.HttpsPort, Plain, TimeSpan.FromSeconds(3)), answer); // Kestrel's TLS answers it, as without the loops
        Assert.Equal(before + 1, await CounterAsync(_loop, "alb_fast_handover_total{reason=\"not_tls\"}"));
        using (var socket = new Socket(SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(IPAddress.Loopback, _loop.HttpsPort);
            await socket.SendAsync(new byte[] { 0x16, 0x03, 0x01, 0xff, 0xff, 0x01 }); // a record header claiming 64 KiB
            socket.Close();
        }

        var after = await RawTls.SendAsync(_loop.HttpsPort, "secure.example.com", "GET /after HTTP/1.1\r\nHost: secure.example.com\r\nConnection: close\r\n\r\n");
        Assert.Equal(200, RawHttp.Status(after));
    }

    [Fact]
    public async Task A_record_that_does_not_decrypt_costs_its_connection_only()
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, _loop.HttpsPort);
        var ssl = new System.Net.Security.SslStream(new NetworkStream(socket, ownsSocket: false));
        await ssl.AuthenticateAsClientAsync(new System.Net.Security.SslClientAuthenticationOptions
        {
            TargetHost = "secure.example.com",
            ApplicationProtocols = [System.Net.Security.SslApplicationProtocol.Http11],
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });
        await socket.SendAsync((byte[])[23, 3, 3, 0, 32, .. new byte[32]]); // application data that is not sealed by the session's keys
        var buffer = new byte[256];
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            try
            {
                while (await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token) > 0)
                {
                    // an alert may come first: the connection must end
                }
            }
            catch (SocketException)
            {
                // reset: ended too
            }
        }

        var after = await RawTls.SendAsync(_loop.HttpsPort, "secure.example.com", "GET /after HTTP/1.1\r\nHost: secure.example.com\r\nConnection: close\r\n\r\n");
        Assert.Equal(200, RawHttp.Status(after));
    }

    [Theory]
    [InlineData(SslProtocols.Tls12)]
    [InlineData(SslProtocols.Tls13)]
    public async Task Serves_tls12_and_tls13_on_the_loop(SslProtocols protocol)
    {
        var before = await CounterAsync(_loop, "alb_upstream_forward_total{path=\"loop\"}");
        await using var ssl = await RawTls.ConnectAsync(_loop.HttpsPort, "secure.example.com", protocols: protocol);
        Assert.Equal(protocol, ssl.SslProtocol);
        await ssl.WriteAsync("GET /v HTTP/1.1\r\nHost: secure.example.com\r\nConnection: close\r\n\r\n"u8.ToArray());
        Assert.Equal(200, RawHttp.Status(await RawTls.ReadAsync(ssl, TimeSpan.FromSeconds(5))));
        Assert.True(await CounterAsync(_loop, "alb_upstream_forward_total{path=\"loop\"}") > before);
    }

    private static async Task<double> CounterAsync(AlbInstance alb, string series)
    {
        var metrics = await alb.MetricsAsync();
        var at = metrics.IndexOf(series + " ", StringComparison.Ordinal);
        return at < 0 ? 0 : double.Parse(metrics[(at + series.Length + 1)..].Split('\n')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Status, fields (but Date) and the de-chunked body, with the alb's HTTPS port made "PORT" and the request id's echo kept.</summary>
    private static (int Status, List<string> Fields, string Body) Normalised(string answer, AlbInstance alb) =>
        AnswerParity.Normalised(answer, alb.HttpsPort, alb.HttpPort);
}
