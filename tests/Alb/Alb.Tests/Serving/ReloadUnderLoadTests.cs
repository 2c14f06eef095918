using System.Text.RegularExpressions;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;

namespace Alb.Tests.Serving;

/// <summary>
/// wrk drives keep-alive load while the manifest directory changes 20 times: not one failed request.
/// A short version for CI; <c>benchmarks/reload-soak.sh</c> runs the long one.
/// </summary>
public sealed partial class ReloadUnderLoadTests
{
    [SkippableFact]
    public async Task Serves_wrk_load_without_a_single_error_while_the_directory_changes_20_times()
    {
        var wrk = new[] { "/usr/bin/wrk", "/usr/local/bin/wrk" }.FirstOrDefault(File.Exists);
        Skip.If(wrk is null, "wrk is not installed (scripts/test.sh installs it: apt-get install wrk)");

        await using var origin = await TestOrigin.StartAsync("steady");
        await using var other = await TestOrigin.StartAsync("other");
        var dir = new ManifestDir();
        dir.Write("backends.yaml", ManifestDir.Backend("steady", [origin.Port]) + ManifestDir.Backend("other", [other.Port]));
        // The loaded route uses the annotation families (regex rewrite, CORS, source range, rate limit) whose state
        // and compiled pipeline must survive every reload.
        dir.Write("load.yaml", ManifestDir.Ingress("load", "load.example.com", "/(.*)", "steady", annotations: new Dictionary<string, string>
        {
            ["nginx.ingress.kubernetes.io/use-regex"] = "true",
            ["nginx.ingress.kubernetes.io/rewrite-target"] = "/$1",
            ["nginx.ingress.kubernetes.io/enable-cors"] = "true",
            ["nginx.ingress.kubernetes.io/allowlist-source-range"] = "127.0.0.0/8",
            ["nginx.ingress.kubernetes.io/limit-rps"] = "1000000",
        }));
        dir.Write("unrelated.yaml", ManifestDir.Ingress("unrelated", "unrelated.example.com", "/", "other"));
        await using var alb = await AlbInstance.StartAsync(dir, "--access-log", "off");

        await using var load = TestProcess.Start(wrk!, ["-t1", "-c16", "-d6s", "-H", "Host: load.example.com", $"http://127.0.0.1:{alb.HttpPort}/"]);
        await Task.Delay(500);
        for (var i = 0; i < 20; i++)
        {
            switch (i % 4)
            {
                case 0: dir.Write($"extra-{i}.yaml", ManifestDir.Ingress($"extra-{i}", $"extra{i}.example.com", "/", "other")); break;
                case 1: dir.Delete("unrelated.yaml"); break;
                case 2: dir.Write("unrelated.yaml", ManifestDir.Ingress("unrelated", "unrelated.example.com", "/", "other", annotations: new Dictionary<string, string> { ["nginx.ingress.kubernetes.io/enable-cors"] = i % 8 == 2 ? "true" : "false" })); break;
                default: dir.Write("backends.yaml", ManifestDir.Backend("steady", [origin.Port]) + ManifestDir.Backend("other", [other.Port, origin.Port])); break;
            }

            await Task.Delay(220);
        }

        Assert.Equal(0, await load.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var output = string.Join("\n", load.Stdout);
        var requests = long.Parse(Requests().Match(output).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(requests > 1000, output);
        Assert.DoesNotContain("Non-2xx", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Socket errors", output, StringComparison.Ordinal);

        var metrics = await alb.MetricsAsync();
        var applied = double.Parse(Applied().Match(metrics).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(applied >= 5, $"only {applied} reloads were applied during the run\n{metrics}");
        foreach (var stage in new[] { "read", "translate", "publish" })
        {
            // every reload after the first is timed by stage (the first is built before the host starts)
            var timed = double.Parse(Regex.Match(metrics, $"alb_rebuild_duration_seconds_count\\{{stage=\"{stage}\"\\}} (\\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(timed >= applied - 1, $"{stage}: {timed} timed rebuilds for {applied} applied\n{metrics}");
        }
    }

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex Requests();

    [GeneratedRegex("alb_reloads_total\\{result=\"applied\"\\} (\\d+)")]
    private static partial Regex Applied();
}
