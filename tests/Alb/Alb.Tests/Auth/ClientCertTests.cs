using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;
using static Alb.Tests.Auth.ClientCertFixtures;

namespace Alb.Tests.Auth;

/// <summary>
/// Client certificates (auth-tls-*) end to end over real TLS sockets, with a CA, client certificates and a CRL made
/// here: every verify-client mode, the error page, match-cn, the headers the backend sees (and never the client's
/// copies), 421 when SNI and Host disagree, 400 without SNI, and no CertificateRequest for hosts without mTLS.
/// </summary>
public sealed class ClientCertTests : IAsyncLifetime
{
    private const string P = "nginx.ingress.kubernetes.io/";
    private const string Tls = ClientCertFixtures.TlsSecret;

    private static readonly Pki Certs = new();
    private TestOrigin _web = null!;
    private AlbInstance _alb = null!;

    public async Task InitializeAsync()
    {
        _web = await TestOrigin.StartAsync("web");
        var dir = new ManifestDir();
        dir.Write("backends.yaml", ManifestDir.Backend("web", [_web.Port]) + TestCertificates.SecretYaml("secure.example.com", Tls) + "\n---\n"
            + Secret("ca", ("ca.crt", Certs.CaPem), ("ca.crl", Certs.CrlPem))
            + Secret("ca-nocrl", ("ca.crt", Certs.CaPem))
            + Secret("server-only", ("tls.crt", TestCertificates.CertificatePem("secure.example.com")), ("tls.key", TestCertificates.KeyPem("secure.example.com"))));
        dir.Write("ingresses.yaml", string.Concat(
            Ing("on", "on.secure.example.com", ("auth-tls-secret", "default/ca"), ("auth-tls-pass-certificate-to-upstream", "true")),
            Ing("opt", "opt.secure.example.com", ("auth-tls-secret", "default/ca-nocrl"), ("auth-tls-verify-client", "optional")),
            Ing("noca", "noca.secure.example.com", ("auth-tls-secret", "default/ca-nocrl"), ("auth-tls-verify-client", "optional_no_ca")),
            Ing("off", "off.secure.example.com", ("auth-tls-secret", "default/ca-nocrl"), ("auth-tls-verify-client", "off")),
            Ing("page", "page.secure.example.com", ("auth-tls-secret", "default/ca-nocrl"), ("auth-tls-error-page", "https://errors.example.com/cert")),
            Ing("cn", "cn.secure.example.com", ("auth-tls-secret", "default/ca-nocrl"), ("auth-tls-match-cn", "CN=cli")),
            Ing("cn-other", "cn-other.secure.example.com", ("auth-tls-secret", "default/ca-nocrl"), ("auth-tls-match-cn", "CN=someone-else")),
            Ing("any", "any.secure.example.com", ("auth-tls-secret", "default/ca-nocrl"), ("satisfy", "any"), ("allowlist-source-range", "127.0.0.1/32")),
            Ing("http", "http.secure.example.com", ("auth-tls-secret", "default/ca-nocrl"), ("ssl-redirect", "false")),
            Ing("broken", "broken.secure.example.com", ("auth-tls-secret", "default/server-only")),
            Ing("plain", "plain.secure.example.com"),
            TwoHosts("twins", "a.secure.example.com", "b.secure.example.com", ("auth-tls-secret", "default/ca-nocrl"))));
        _alb = await AlbInstance.StartAsync(dir);
    }

    public async Task DisposeAsync()
    {
        await _alb.DisposeAsync();
        await _web.DisposeAsync();
    }

    [Fact]
    public async Task Verify_on_needs_a_certificate_from_the_ca_and_the_backend_sees_what_was_verified()
    {
        var before = _web.Requests;
        var (status, text, _) = await GetAsync("on.secure.example.com", null);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("No required SSL certificate was sent", text, StringComparison.Ordinal);
        foreach (var bad in new[] { Certs.WrongCa, Certs.Expired, Certs.Revoked })
        {
            (status, text, _) = await GetAsync("on.secure.example.com", bad);
            Assert.True(status == HttpStatusCode.BadRequest, $"{bad.Subject}: {status}");
            Assert.Contains("The SSL certificate error", text, StringComparison.Ordinal);
        }

        Assert.Equal(before, _web.Requests);
        foreach (var version in new[] { HttpVersion.Version11, HttpVersion.Version20 })
        {
            var (ok, _, headers) = await GetAsync("on.secure.example.com", Certs.Good, version: version);
            Assert.Equal(HttpStatusCode.OK, ok);
            Assert.Equal("SUCCESS", headers["ssl-client-verify"]);
            Assert.Equal("CN=client,O=Acme Co", headers["ssl-client-subject-dn"]);
            Assert.Equal("CN=Test CA,O=Acme Co", headers["ssl-client-issuer-dn"]);
            var pem = WebUtility.UrlDecode(headers["ssl-client-cert"]);
            Assert.StartsWith("-----BEGIN%20CERTIFICATE-----%0A", headers["ssl-client-cert"], StringComparison.Ordinal);
            Assert.Equal(Certs.Good.Thumbprint, X509Certificate2.CreateFromPem(pem).Thumbprint);
        }
    }

    [Fact]
    public async Task Optional_modes_and_off()
    {
        var (status, _, headers) = await GetAsync("opt.secure.example.com", null);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("NONE", headers["ssl-client-verify"]);
        Assert.False(headers.ContainsKey("ssl-client-subject-dn"));
        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync("opt.secure.example.com", Certs.WrongCa)).Status);
        Assert.Equal("SUCCESS", (await GetAsync("opt.secure.example.com", Certs.Good)).Headers["ssl-client-verify"]);
        Assert.False((await GetAsync("opt.secure.example.com", Certs.Good)).Headers.ContainsKey("ssl-client-cert"));

        (status, _, headers) = await GetAsync("noca.secure.example.com", Certs.WrongCa);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("FAILED:", headers["ssl-client-verify"], StringComparison.Ordinal);
        Assert.Equal("CN=intruder,O=Other", headers["ssl-client-subject-dn"]);
        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync("noca.secure.example.com", Certs.Expired)).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("noca.secure.example.com", null)).Status);

        (status, _, headers) = await GetAsync("off.secure.example.com", null);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("NONE", headers["ssl-client-verify"]);
    }

    [Fact]
    public async Task The_error_page_gets_a_302_and_match_cn_a_403()
    {
        var (status, _, response) = await SendAsync("page.secure.example.com", null);
        Assert.Equal(HttpStatusCode.Found, status);
        Assert.Equal("https://errors.example.com/cert", response.Headers.Location?.ToString());
        Assert.Equal(HttpStatusCode.Found, (await SendAsync("page.secure.example.com", Certs.WrongCa)).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("page.secure.example.com", Certs.Good)).Status);

        Assert.Equal(HttpStatusCode.OK, (await GetAsync("cn.secure.example.com", Certs.Good)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync("cn-other.secure.example.com", Certs.Good)).Status);
    }

    [Fact]
    public async Task Satisfy_any_does_not_skip_the_certificate_and_a_broken_secret_is_503()
    {
        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync("any.secure.example.com", null)).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("any.secure.example.com", Certs.Good)).Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await GetAsync("broken.secure.example.com", Certs.Good)).Status);
    }

    [Fact]
    public async Task Client_sent_ssl_client_headers_never_reach_a_backend()
    {
        (string, string)[] spoofed = [("ssl-client-verify", "SUCCESS"), ("ssl-client-subject-dn", "CN=admin"), ("ssl-client-issuer-dn", "CN=Test CA,O=Acme Co"), ("ssl-client-cert", "x")];
        var (_, _, headers) = await GetAsync("plain.secure.example.com", null, spoofed);
        Assert.DoesNotContain(headers.Keys, k => k.StartsWith("ssl-client-", StringComparison.Ordinal));
        (_, _, headers) = await GetAsync("opt.secure.example.com", null, spoofed);
        Assert.Equal("NONE", headers["ssl-client-verify"]);
        Assert.Equal(["ssl-client-verify"], headers.Keys.Where(k => k.StartsWith("ssl-client-", StringComparison.Ordinal)));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = "plain.secure.example.com" } };
        request.Headers.TryAddWithoutValidation("ssl-client-verify", "SUCCESS");
        var body = await (await _alb.Http.SendAsync(request)).Content.ReadAsStringAsync();
        Assert.DoesNotContain("ssl-client-verify", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sni_of_one_host_and_host_of_another_is_421_unless_their_settings_are_equal()
    {
        Assert.Equal([421], await RawAsync("on.secure.example.com", Certs.Good, "plain.secure.example.com"));
        Assert.Equal([421], await RawAsync("plain.secure.example.com", Certs.Good, "on.secure.example.com"));
        Assert.Equal([421], await RawAsync("on.secure.example.com", Certs.Good, "opt.secure.example.com"));
        Assert.Equal([421], await RawAsync("unknown.secure.example.com", Certs.Good, "opt.secure.example.com"));

        // One connection, several hosts (what HTTP/2 coalescing does): the check is per request.
        Assert.Equal([200, 200, 421, 421, 200], await RawAsync("a.secure.example.com", Certs.Good, "a.secure.example.com", "b.secure.example.com", "on.secure.example.com", "plain.secure.example.com", "b.secure.example.com"));
        Assert.Equal([200, 421], await RawAsync("plain.secure.example.com", null, "plain.secure.example.com", "a.secure.example.com"));
    }

    [Fact]
    public async Task Without_sni_a_host_that_needs_a_certificate_is_400()
    {
        Assert.Equal([400, 400, 200], await RawAsync(null, Certs.Good, "on.secure.example.com", "opt.secure.example.com", "plain.secure.example.com"));
    }

    [Fact]
    public async Task Plain_http_is_redirected_first_else_it_has_no_certificate()
    {
        Assert.Equal(HttpStatusCode.PermanentRedirect, (await PlainAsync("on.secure.example.com")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await PlainAsync("http.secure.example.com")).StatusCode);
    }

    [Fact]
    public async Task Only_hosts_with_mtls_send_a_certificate_request()
    {
        Assert.Contains("CertificateRequest", await HandshakeAsync("on.secure.example.com"), StringComparison.Ordinal);
        Assert.DoesNotContain("CertificateRequest", await HandshakeAsync("plain.secure.example.com"), StringComparison.Ordinal);
        Assert.DoesNotContain("CertificateRequest", await HandshakeAsync("off.secure.example.com"), StringComparison.Ordinal);
    }

    /// <summary>One TLS connection with <paramref name="sni"/> (none when null) and <paramref name="certificate"/>; one GET per Host, in turn; their statuses.</summary>
    private async Task<List<int>> RawAsync(string? sni, X509Certificate2? certificate, params string[] hosts)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, _alb.HttpsPort);
        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = sni ?? "127.0.0.1", // an IP address: no SNI is sent
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
            LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate!,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        });
        var statuses = new List<int>();
        using var reader = new StreamReader(tls, Encoding.ASCII, false, 1, leaveOpen: true);
        foreach (var host in hosts)
        {
            await tls.WriteAsync(Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: {host}\r\n\r\n"));
            var first = await reader.ReadLineAsync();
            if (first is null || first.Split(' ') is not [_, var code, ..])
            {
                statuses.Add(0); // closed
                break;
            }

            var status = int.Parse(code, System.Globalization.CultureInfo.InvariantCulture);
            var length = 0;
            var chunked = false;
            string? line;
            while (!string.IsNullOrEmpty(line = await reader.ReadLineAsync()))
            {
                if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                {
                    length = int.Parse(line[15..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                }

                chunked |= line.Equals("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase);
            }

            while (chunked && (length = Convert.ToInt32((await reader.ReadLineAsync())!.Trim(), 16)) > 0)
            {
                await reader.ReadBlockAsync(new char[length + 2], 0, length + 2);
            }

            await reader.ReadBlockAsync(new char[chunked ? 2 : length], 0, chunked ? 2 : length);
            statuses.Add(status);
        }

        return statuses;
    }

    private async Task<string> HandshakeAsync(string sni)
    {
        var result = await TestProcess.RunAsync("sh", ["-c", $"openssl s_client -connect 127.0.0.1:{_alb.HttpsPort} -servername {sni} -msg </dev/null"]);
        return result.Stdout + result.Stderr;
    }

    private async Task<HttpResponseMessage> PlainAsync(string host) => await _alb.Http.SendAsync(Get(host));

    private static HttpRequestMessage Get(string host) => new(HttpMethod.Get, "/") { Headers = { Host = host } };

    private async Task<(HttpStatusCode Status, string Text, Dictionary<string, string> Headers)> GetAsync(string host, X509Certificate2? certificate, (string, string)[]? extra = null, string? sni = null, Version? version = null)
    {
        var (status, text, response) = await SendAsync(host, certificate, extra, sni, version);
        response.Dispose();
        var headers = text.StartsWith('{')
            ? JsonDocument.Parse(text).RootElement.GetProperty("headers").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!)
            : [];
        return (status, text, headers);
    }

    private async Task<(HttpStatusCode Status, string Text, HttpResponseMessage Response)> SendAsync(string host, X509Certificate2? certificate, (string, string)[]? extra = null, string? sni = null, Version? version = null)
    {
        using var client = HttpsClient(_alb.HttpsPort, sni ?? host, certificate, version ?? HttpVersion.Version11);
        using var request = Get(host);
        foreach (var (name, value) in extra ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    private static string TwoHosts(string name, string first, string second, params (string Key, string Value)[] annotations) =>
        ManifestDir.Ingress(name, first, "/", "web", tlsSecret: Tls, annotations: annotations.ToDictionary(a => P + a.Key, a => a.Value)).Replace(
            "  rules:\n", $"  rules:\n  - host: \"{second}\"\n    http:\n      paths:\n      - {{path: /, pathType: Prefix, backend: {{service: {{name: web, port: {{number: 80}}}}}}}}\n", StringComparison.Ordinal);
}
