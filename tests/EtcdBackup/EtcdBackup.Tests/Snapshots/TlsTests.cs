using Edge.Testing;
using EtcdBackup.Tests.Fixtures;
using Xunit;

namespace EtcdBackup.Tests.Snapshots;

/// <summary>
/// etcd with TLS and client-certificate auth, as kubeadm runs it: a CA, a server certificate for 127.0.0.1 and a
/// client certificate, made with openssl for the test. etcd-backup connects with etcdctl's three flags.
/// </summary>
public sealed class TlsTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("etcd-backup-tls-").FullName;
    private TestProcess? _etcd;
    private string _endpoint = "";

    private string P(string name) => Path.Combine(_dir, name);

    public async Task InitializeAsync()
    {
        await Openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=etcd-ca",
            "-keyout", P("ca.key"), "-out", P("ca.crt"));
        await File.WriteAllTextAsync(P("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
        await File.WriteAllTextAsync(P("client.ext"), "extendedKeyUsage=clientAuth\n");
        foreach (var who in new[] { "server", "client", "stranger" })
        {
            await Openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", $"/CN={who}", "-keyout", P($"{who}.key"), "-out", P($"{who}.csr"));
        }

        await Openssl("x509", "-req", "-in", P("server.csr"), "-CA", P("ca.crt"), "-CAkey", P("ca.key"), "-CAcreateserial", "-days", "2", "-extfile", P("server.ext"), "-out", P("server.crt"));
        await Openssl("x509", "-req", "-in", P("client.csr"), "-CA", P("ca.crt"), "-CAkey", P("ca.key"), "-CAcreateserial", "-days", "2", "-extfile", P("client.ext"), "-out", P("client.crt"));
        await Openssl("x509", "-req", "-in", P("stranger.csr"), "-signkey", P("stranger.key"), "-days", "2", "-extfile", P("client.ext"), "-out", P("stranger.crt"));

        var client = $"https://127.0.0.1:{FreePort.Next()}";
        var peer = $"http://127.0.0.1:{FreePort.Next()}";
        _etcd = TestProcess.Start("etcd",
        [
            "--data-dir", P("data"), "--listen-client-urls", client, "--advertise-client-urls", client, "--listen-peer-urls", peer,
            "--initial-advertise-peer-urls", peer, "--initial-cluster", $"default={peer}", "--cert-file", P("server.crt"),
            "--key-file", P("server.key"), "--client-cert-auth", "--trusted-ca-file", P("ca.crt"), "--log-level", "warn",
        ]);
        _endpoint = client;
        var port = new Uri(client).Port;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using var probe = new System.Net.Sockets.TcpClient();
            try
            {
                await probe.ConnectAsync("127.0.0.1", port);
                break;
            }
            catch (System.Net.Sockets.SocketException) when (DateTime.UtcNow < deadline && !_etcd.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    private static async Task Openssl(params string[] args)
    {
        var (exit, _, stderr) = await TestProcess.RunAsync("openssl", args);
        Assert.True(exit == 0, stderr);
    }

    [Fact]
    public async Task Snapshots_over_tls_with_a_client_certificate()
    {
        var local = Path.Combine(_dir, "backups");
        var (exit, stdout, stderr) = await BackupCli.RunAsync(null, "snapshot", "--endpoints", _endpoint, "--cacert", P("ca.crt"),
            "--cert", P("client.crt"), "--key", P("client.key"), "--local-dir", local);

        Assert.True(exit == 0, $"{stdout}\n{stderr}\n{_etcd!.Output()}");
        Assert.Single(Directory.EnumerateFiles(local, "*.json"));
    }

    [Fact]
    public async Task Refuses_a_server_not_signed_by_the_given_ca_and_etcd_refuses_a_stranger()
    {
        var local = Path.Combine(_dir, "refused");
        var (exitCa, _, stderrCa) = await BackupCli.RunAsync(null, "snapshot", "--endpoints", _endpoint, "--cacert", P("stranger.crt"),
            "--cert", P("client.crt"), "--key", P("client.key"), "--local-dir", local, "--dial-timeout", "2s");
        var (exitClient, _, stderrClient) = await BackupCli.RunAsync(null, "snapshot", "--endpoints", _endpoint, "--cacert", P("ca.crt"),
            "--cert", P("stranger.crt"), "--key", P("stranger.key"), "--local-dir", local, "--dial-timeout", "2s");

        Assert.Equal(1, exitCa);
        Assert.Contains("no healthy etcd member", stderrCa, StringComparison.Ordinal);
        Assert.Equal(1, exitClient);
        Assert.Contains("no healthy etcd member", stderrClient, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Uploads_to_an_https_store_and_the_copy_verifies()
    {
        // Over HTTPS the part bodies go unsigned (UNSIGNED-PAYLOAD, as the AWS CLI sends them); the store still checks
        // the request signatures, and verify reads the object back against the manifest's SHA-256.
        await using var s3 = await S3Server.StartAsync(P("s3"), (P("server.crt"), P("server.key")));
        var env = new Dictionary<string, string>(s3.Credentials()) { ["SSL_CERT_FILE"] = P("ca.crt") };
        string[] connection = ["--endpoints", _endpoint, "--cacert", P("ca.crt"), "--cert", P("client.crt"), "--key", P("client.key"),
            "--s3-url", $"s3://{S3Server.Bucket}/tls", "--s3-endpoint", s3.Endpoint];
        var (exit, stdout, stderr) = await BackupCli.RunAsync(env, ["snapshot", .. connection]);
        Assert.True(exit == 0, $"{stdout}\n{stderr}");
        Assert.Contains(s3.ObjectKeys(), k => k.StartsWith("tls/etcd-", StringComparison.Ordinal) && k.EndsWith(".db", StringComparison.Ordinal));
        var hashes = s3.PartPayloadHashes();
        Assert.NotEmpty(hashes);
        Assert.All(hashes, h => Assert.Equal("UNSIGNED-PAYLOAD", h));

        var (verifyExit, verifyOut, verifyErr) = await BackupCli.RunAsync(env, ["verify", "latest", .. connection]);
        Assert.True(verifyExit == 0, $"{verifyOut}\n{verifyErr}");

        // A client that does not trust the store's CA is refused and says so.
        var (refusedExit, _, refusedErr) = await BackupCli.RunAsync(s3.Credentials(), ["snapshot", .. connection]);
        Assert.NotEqual(0, refusedExit);
        Assert.Contains("s3://", refusedErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreadable_tls_files_are_a_usage_error()
    {
        await File.WriteAllTextAsync(P("garbage.crt"), "not a certificate");
        var (exit, _, stderr) = await BackupCli.RunAsync(null, "snapshot", "--endpoints", _endpoint, "--cacert", P("ca.crt"),
            "--cert", P("garbage.crt"), "--key", P("client.key"), "--local-dir", Path.Combine(_dir, "x"));

        Assert.Equal(2, exit);
        Assert.StartsWith("--cacert/--cert/--key: cannot load the TLS files", stderr, StringComparison.Ordinal);
    }

    public async Task DisposeAsync()
    {
        if (_etcd is not null)
        {
            await _etcd.DisposeAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }
}
