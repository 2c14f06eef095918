using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Edge.Testing;

namespace Alb.Tests.Fixtures;

/// <summary>
/// <c>alb serve</c> started as a user starts it (<c>dotnet alb.dll serve ...</c>) on free loopback ports, with a
/// manifest directory the test owns. Ready when /readyz answers 200.
/// </summary>
internal sealed class AlbInstance : IAsyncDisposable
{
    private AlbInstance(TestProcess process, ManifestDir manifests, int http, int https, int admin)
    {
        Process = process;
        Manifests = manifests;
        HttpPort = http;
        HttpsPort = https;
        AdminPort = admin;
        Http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false, UseCookies = false }) { BaseAddress = new Uri($"http://127.0.0.1:{http}"), Timeout = TimeSpan.FromSeconds(30) };
        Admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{admin}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public TestProcess Process { get; }

    public ManifestDir Manifests { get; }

    public int HttpPort { get; }

    public int HttpsPort { get; }

    public int AdminPort { get; }

    public HttpClient Http { get; }

    public HttpClient Admin { get; }

    public static string AlbDll => Path.Combine(AppContext.BaseDirectory, "alb.dll");

    /// <summary>
    /// How to run alb with <paramref name="args"/>: <c>dotnet alb.dll</c> as built with the tests, or the executable
    /// <c>ALB_BIN</c> names (a trimmed or otherwise published alb: scripts/test.sh runs the process tests against the
    /// build the container image ships).
    /// </summary>
    public static (string File, string[] Args) Command(params string[] args) =>
        Environment.GetEnvironmentVariable("ALB_BIN") is { Length: > 0 } bin ? (bin, args) : ("dotnet", [AlbDll, .. args]);

    /// <summary>Runs alb with <paramref name="args"/> to its exit (a one-shot command: validate, explain, --help).</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var (file, arguments) = Command(args);
        return TestProcess.RunAsync(file, arguments);
    }

    public static Task<AlbInstance> StartAsync(ManifestDir manifests, params string[] extraArgs) =>
        StartAsync(manifests, ["--manifests", manifests.Path], extraArgs, waitReady: true, null);

    /// <summary>As above, with environment variables for alb (e.g. <c>ALB_LEAN_H1=1</c>).</summary>
    public static Task<AlbInstance> StartAsync(ManifestDir manifests, IDictionary<string, string> environment, params string[] extraArgs) =>
        StartAsync(manifests, ["--manifests", manifests.Path], extraArgs, waitReady: true, environment);

    /// <summary>As <see cref="StartAsync(ManifestDir, string[])"/>, started from <paramref name="workingDirectory"/>.</summary>
    public static Task<AlbInstance> StartInAsync(string workingDirectory, ManifestDir manifests, params string[] extraArgs) =>
        StartAsync(manifests, ["--manifests", manifests.Path], extraArgs, waitReady: true, null,
            (file, args) => ("/bin/sh", ["-c", "cd \"$0\" && exec \"$@\"", workingDirectory, file, .. args]));

    /// <summary>
    /// alb reading a cluster through <paramref name="kubeconfig"/>, with <paramref name="podName"/> as its identity
    /// (<c>POD_NAME</c>); with <paramref name="waitReady"/> false, returns once it listens.
    /// </summary>
    public static Task<AlbInstance> StartClusterAsync(string kubeconfig, string podName, bool waitReady, params string[] extraArgs) =>
        StartClusterAsync(kubeconfig, podName, waitReady, new Dictionary<string, string>(), extraArgs);

    /// <summary>As above, with more environment variables (e.g. <c>POD_NAMESPACE</c>).</summary>
    public static Task<AlbInstance> StartClusterAsync(string kubeconfig, string podName, bool waitReady, IDictionary<string, string> environment, params string[] extraArgs) =>
        StartAsync(new ManifestDir(), ["--kubeconfig", kubeconfig], extraArgs, waitReady, new Dictionary<string, string>(environment) { ["POD_NAME"] = podName });

    /// <summary>
    /// alb as in a Pod: neither --manifests nor --kubeconfig, <c>KUBERNETES_SERVICE_HOST</c>/<c>_PORT</c> naming the
    /// (HTTPS) test API server, and <paramref name="serviceAccount"/>'s token, ca.crt and namespace files at
    /// /var/run/secrets/kubernetes.io/serviceaccount, as the kubelet mounts them: alb runs in a private mount
    /// namespace whose /run is a fresh tmpfs holding them, so the machine's own /run is never touched (root only).
    /// </summary>
    public static Task<AlbInstance> StartInClusterAsync(Uri apiServer, string serviceAccount, string podName, string podNamespace) =>
        StartAsync(new ManifestDir(), [], [], waitReady: true, new Dictionary<string, string>
        {
            ["KUBERNETES_SERVICE_HOST"] = apiServer.Host,
            ["KUBERNETES_SERVICE_PORT"] = apiServer.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["POD_NAME"] = podName,
            ["POD_NAMESPACE"] = podNamespace,
        }, (file, args) => ("unshare", ["--mount", "--propagation", "private", "sh", "-c",
            "mount -t tmpfs tmpfs /run && mkdir -p /run/secrets/kubernetes.io/serviceaccount && cp \"$0\"/* /run/secrets/kubernetes.io/serviceaccount/ && exec \"$@\"",
            serviceAccount, file, .. args]));

    /// <summary>Why <see cref="StartInClusterAsync"/> cannot run here (not root, no unshare), or null.</summary>
    public static string? InClusterUnavailable() =>
        Environment.UserName != "root" ? "needs root (a private mount namespace for the service account files)"
        : !File.Exists("/usr/bin/unshare") ? "needs unshare (util-linux)"
        : null;

    private static async Task<AlbInstance> StartAsync(ManifestDir manifests, string[] source, string[] extraArgs, bool waitReady, IDictionary<string, string>? environment, Func<string, string[], (string File, string[] Args)>? launcher = null)
    {
        // Free ports can be taken by a parallel test between the probe and alb's bind: try again with new ones.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(manifests, source, extraArgs, waitReady, environment, launcher);
            }
            catch (InvalidOperationException e) when (attempt < 3 && e.Message.Contains("cannot listen", StringComparison.Ordinal))
            {
            }
        }
    }

    private static async Task<AlbInstance> StartOnceAsync(ManifestDir manifests, string[] source, string[] extraArgs, bool waitReady, IDictionary<string, string>? environment, Func<string, string[], (string File, string[] Args)>? launcher)
    {
        int http = FreePort.Next(), https = FreePort.Next(), admin = FreePort.Next();
        var (file, arguments) = Command(
        [
            "serve", .. source,
            "--http", $"127.0.0.1:{http}", "--https", $"127.0.0.1:{https}", "--admin", $"127.0.0.1:{admin}",
            .. extraArgs,
        ]);
        if (launcher is not null)
        {
            (file, arguments) = launcher(file, arguments);
        }

        var process = TestProcess.Start(file, arguments, environment: environment);
        var alb = new AlbInstance(process, manifests, http, https, admin);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                // Drain its output first: the reason (such as "cannot listen" on a port another test took, which the
                // caller retries) is in what it printed, and a quick exit can leave that still in the pipe.
                var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
                throw new InvalidOperationException($"alb exited during start-up (exit code {exit})\n" + process.Output());
            }

            try
            {
                // Ready, and it is this process that answered: its HTTP port takes connections and it is still
                // running (another test's alb on a reused admin port would answer /readyz too).
                var ready = (await alb.Admin.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK;
                if ((ready || !waitReady) && await AcceptsAsync(http) && !process.HasExited)
                {
                    return alb;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(100);
        }

        await alb.DisposeAsync();
        throw new TimeoutException("alb did not become ready in 30 s\n" + process.Output());
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// A client that connects to alb's HTTPS port whatever the URL host, sends <paramref name="sni"/> as the TLS
    /// server name, and records the certificate it was shown.
    /// </summary>
    public TlsClient CreateTlsClient(string sni, Version? version = null)
    {
        var seen = new List<X509Certificate2>();
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(IPAddress.Loopback, HttpsPort, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                TargetHost = sni,
                RemoteCertificateValidationCallback = (_, cert, _, _) =>
                {
                    lock (seen)
                    {
                        seen.Add(X509CertificateLoader.LoadCertificate(cert!.GetRawCertData()));
                    }

                    return true;
                },
            },
        };
        var client = new HttpClient(handler)
        {
            BaseAddress = new Uri($"https://{sni}:{HttpsPort}"),
            DefaultRequestVersion = version ?? HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(30),
        };
        return new TlsClient(client, seen);
    }

    public async Task<string> MetricsAsync() => await Admin.GetStringAsync("/metrics");

    /// <summary>Waits until <paramref name="condition"/> holds, polling; fails with alb's output after the timeout.</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{what} did not happen within {timeout.TotalSeconds} s\n{Process.Output()}");
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Admin.Dispose();
        await Process.DisposeAsync();
        Manifests.Dispose();
    }
}

internal sealed record TlsClient(HttpClient Client, List<X509Certificate2> Certificates) : IDisposable
{
    public string? LastSubject
    {
        get
        {
            lock (Certificates)
            {
                return Certificates.Count == 0 ? null : Certificates[^1].Subject;
            }
        }
    }

    public void Dispose() => Client.Dispose();
}
