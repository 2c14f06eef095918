using System.Net;
using Edge.Testing;

namespace AlbOperator.Tests.Fixtures;

/// <summary>
/// <c>alb-operator run</c> started as a user starts it (<c>dotnet alb-operator.dll run --kubeconfig ...</c>) on free
/// loopback ports, with an identity of its own. Ready when its /readyz answers 200.
/// </summary>
internal sealed class OperatorProcess : IAsyncDisposable
{
    /// <summary>The alb image the tests pass as <c>--alb-image</c>.</summary>
    public const string AlbImage = "registry.example.com/edge/alb:test";

    private OperatorProcess(TestProcess process, string identity, int admin, int webhook)
    {
        Process = process;
        Identity = identity;
        AdminPort = admin;
        WebhookPort = webhook;
        Admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{admin}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public TestProcess Process { get; }

    public string Identity { get; }

    /// <summary>What its API requests carry as User-Agent.</summary>
    public string UserAgent => $"alb-operator/{Identity}";

    public int AdminPort { get; }

    public int WebhookPort { get; }

    public HttpClient Admin { get; }

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "alb-operator.dll");

    /// <summary>Lease timings short enough for failover tests: lease 6 s, renew deadline 4 s, retry 1 s.</summary>
    public static readonly string[] FastLease = ["--lease-duration", "6", "--renew-deadline", "4", "--retry-period", "1"];

    public static async Task<OperatorProcess> StartAsync(string kubeconfig, string identity, params string[] extraArgs)
    {
        // A free port can be taken by a parallel test between the probe and the bind: try again with new ones.
        for (var attempt = 1; ; attempt++)
        {
            int admin = FreePort.Next(), webhook = FreePort.Next();
            string[] args =
            [
                Dll, "run", "--kubeconfig", kubeconfig, "--namespace", "default", "--identity", identity,
                "--admin", $"127.0.0.1:{admin}", "--webhook", $"127.0.0.1:{webhook}", "--alb-image", AlbImage, .. extraArgs,
            ];
            var process = TestProcess.Start("dotnet", args);
            var op = new OperatorProcess(process, identity, admin, webhook);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (DateTime.UtcNow < deadline && !process.HasExited)
            {
                try
                {
                    if ((await op.Admin.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK && !process.HasExited)
                    {
                        return op;
                    }
                }
                catch (HttpRequestException)
                {
                    // not listening yet
                }

                await Task.Delay(100);
            }

            var output = process.Output();
            await op.DisposeAsync();
            if (attempt < 3 && output.Contains("cannot listen", StringComparison.Ordinal))
            {
                continue;
            }

            throw new InvalidOperationException($"alb-operator {identity} did not become ready in 30 s\n{output}");
        }
    }

    public async Task<string> MetricsAsync() => await Admin.GetStringAsync("/metrics");

    /// <summary>The value of a metric line without labels, e.g. <c>alb_operator_leader</c>.</summary>
    public async Task<double> MetricAsync(string name)
    {
        var line = (await MetricsAsync()).Split('\n').FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return line is null ? double.NaN : double.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await Process.DisposeAsync();
    }
}
