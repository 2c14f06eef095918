using Edge.Testing;

namespace EtcdBackup.Tests.Fixtures;

/// <summary>
/// The S3 protocol server of the tests (tests/tools/s3server: @20minutes/s3rver, which checks SigV4 signatures), with
/// a fresh random key pair and one bucket, on a loopback port.
/// </summary>
public sealed class S3Server : IAsyncDisposable
{
    public const string Bucket = "backups";
    private readonly TestProcess _process;

    private S3Server(TestProcess process, int port, string dataDir, string accessKey, string secretKey, bool https)
    {
        _process = process;
        Https = https;
        Port = port;
        DataDir = dataDir;
        AccessKey = accessKey;
        SecretKey = secretKey;
    }

    public int Port { get; }

    public string DataDir { get; }

    public string AccessKey { get; }

    public string SecretKey { get; }

    public bool Https { get; }

    public string Endpoint => $"{(Https ? "https" : "http")}://127.0.0.1:{Port}";

    /// <summary>The environment a client needs (the AWS CLI's variables).</summary>
    public Dictionary<string, string> Credentials(string? secret = null) => new()
    {
        ["AWS_ACCESS_KEY_ID"] = AccessKey,
        ["AWS_SECRET_ACCESS_KEY"] = secret ?? SecretKey,
        ["AWS_REGION"] = "us-east-1",
        ["AWS_EC2_METADATA_DISABLED"] = "true",
    };

    /// <summary>Starts the server; with <paramref name="tls"/> (certificate and key PEM files) it serves HTTPS.</summary>
    public static async Task<S3Server> StartAsync(string dataDir, (string Cert, string Key)? tls = null)
    {
        var script = Path.Combine(RepoRoot(), "tests", "tools", "s3server", "s3server.js");
        var port = FreePort.Next();
        var access = "AK" + Guid.NewGuid().ToString("n")[..16].ToUpperInvariant();
        var secret = Guid.NewGuid().ToString("n");
        var process = TestProcess.Start("node", ["--openssl-legacy-provider", script, dataDir, port.ToString(System.Globalization.CultureInfo.InvariantCulture), Bucket],
            environment: new Dictionary<string, string>
            {
                ["S3_ACCESS_KEY"] = access,
                ["S3_SECRET_KEY"] = secret,
                ["S3_TLS_CERT"] = tls?.Cert ?? "",
                ["S3_TLS_KEY"] = tls?.Key ?? "",
            });
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!process.Stdout.Any(l => l.StartsWith("listening", StringComparison.Ordinal)))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                var output = process.Output();
                await process.DisposeAsync();
                throw new InvalidOperationException($"the S3 test server did not start (run ./scripts/test.sh once to install it):\n{output}");
            }

            await Task.Delay(50);
        }

        return new S3Server(process, port, dataDir, access, secret, tls is not null);
    }

    /// <summary>Every object key in the bucket, read from the server's store (not through our client).</summary>
    public IReadOnlyList<string> ObjectKeys()
    {
        var root = Path.Combine(DataDir, Bucket);
        return !Directory.Exists(root) ? [] : Directory.EnumerateFiles(root, "*._S3rver_object", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f)[..^"._S3rver_object".Length].Replace('\\', '/'))
            .Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The <c>x-amz-content-sha256</c> of every part upload so far: a hex digest, or UNSIGNED-PAYLOAD.</summary>
    public IReadOnlyList<string> PartPayloadHashes() => [.. Writes().Where(w => w.Call == "UploadPart").Select(w => w.PayloadHash)];

    /// <summary>Every write the server took, as its headers named it; "-" for a header not sent.</summary>
    public IReadOnlyList<(string Call, string Path, string PayloadHash, string Sse, string KmsKeyId)> Writes() =>
        [.. _process.Stdout.Where(l => l.StartsWith("write ", StringComparison.Ordinal)).Select(l => l.Split(' ')).Select(f => (f[1], f[2], f[3], f[4], f[5]))];

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Edge.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the repository root (Edge.sln) above " + AppContext.BaseDirectory);
    }
}
