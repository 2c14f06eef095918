using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;

namespace Alb.Tests.Serving;

/// <summary>
/// TLS session resumption, checked with the openssl command line: with <c>ssl-protocols: TLSv1.3</c> alb sets no cipher
/// policy (TLS 1.3's three suites are OpenSSL's defaults), so .NET keeps one SSL_CTX per certificate and a client's
/// ticket resumes its session; on the loops and on Kestrel's TLS alike.
/// </summary>
public sealed class TlsResumptionTests
{
    [Theory]
    [InlineData("1")]
    [InlineData("0")]
    public async Task A_session_resumes_with_tls13_alone(string frontEnd)
    {
        var origin = await TestOrigin.StartAsync("o");
        try
        {
            var dir = new ManifestDir();
            dir.Write("all.yaml", ManifestDir.Backend("o", [origin.Port])
                + ManifestDir.Ingress("app", "secure.example.com", "/", "o", tlsSecret: "secure-tls")
                + TestCertificates.SecretYaml("secure.example.com", "secure-tls") + """

                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: alb, namespace: ingress}
                data:
                  ssl-protocols: "TLSv1.3"
                """);
            await using var alb = await AlbInstance.StartAsync(dir, new Dictionary<string, string> { [Alb.Fast.FastFrontEnd.Variable] = frontEnd }, "--configmap", "ingress/alb");
            var session = Path.Combine(Path.GetTempPath(), $"alb-session-{Guid.NewGuid():N}");
            try
            {
                Assert.Contains("New, TLSv1.3", await HandshakeAsync(alb.HttpsPort, $"-sess_out {session}"), StringComparison.Ordinal);
                Assert.Contains("Reused, TLSv1.3", await HandshakeAsync(alb.HttpsPort, $"-sess_in {session}"), StringComparison.Ordinal);
            }
            finally
            {
                File.Delete(session);
            }
        }
        finally
        {
            await origin.DisposeAsync();
        }
    }

    /// <summary>One request over <c>openssl s_client</c> offering HTTP/1.1 only (the loops' TLS), kept open a second for the session ticket.</summary>
    private static async Task<string> HandshakeAsync(int port, string session)
    {
        var script = $"(printf 'GET / HTTP/1.1\\r\\nHost: secure.example.com\\r\\nConnection: close\\r\\n\\r\\n'; sleep 1) | openssl s_client -connect 127.0.0.1:{port} -servername secure.example.com -alpn http/1.1 -tls1_3 {session}";
        var (_, stdout, stderr) = await TestProcess.RunAsync("bash", ["-c", script], TimeSpan.FromSeconds(20));
        return stdout + stderr;
    }
}
