using System.Diagnostics;
using System.Net;
using AlbOperator.Tests.Fixtures;
using Xunit.Abstractions;

namespace AlbOperator.Tests.Cluster;

/// <summary>
/// An operator replica is ready while it reaches the API server: <c>/readyz</c> turns 503 once the API server has not
/// answered for 20 s, and 200 again within one probe interval (5 s) of its return; <c>/healthz</c> answers 200
/// throughout, and the process keeps running.
/// </summary>
public sealed class ApiReadinessTests(ITestOutputHelper output)
{
    /// <summary>Longer than the 20 s staleness bound plus the 5 s probe interval, so /readyz must turn 503 meanwhile.</summary>
    private static readonly TimeSpan Downtime = TimeSpan.FromSeconds(27);

    [Fact]
    public async Task Readyz_is_503_while_the_api_server_is_unreachable_and_200_after_it_returns_healthz_always_200()
    {
        await using var cluster = await TestCluster.StartAsync();
        await using var op = await OperatorProcess.StartAsync(cluster.Kubeconfig, "op-a");

        var clock = Stopwatch.StartNew();
        var restart = cluster.Api.RestartAsync(Downtime); // connections refused for Downtime, then the same port and objects
        var readyz = new List<(TimeSpan At, HttpStatusCode Code, string Body)>();
        var healthz = new List<HttpStatusCode>();
        TimeSpan? back = null;
        while (clock.Elapsed < Downtime + TimeSpan.FromSeconds(15))
        {
            using (var ready = await op.Admin.GetAsync("/readyz"))
            {
                readyz.Add((clock.Elapsed, ready.StatusCode, await ready.Content.ReadAsStringAsync()));
            }

            using (var health = await op.Admin.GetAsync("/healthz"))
            {
                healthz.Add(health.StatusCode);
            }

            if (restart.IsCompleted)
            {
                back ??= clock.Elapsed;
                if (readyz[^1].Code == HttpStatusCode.OK)
                {
                    break;
                }
            }

            await Task.Delay(250);
        }

        await restart;
        var down = readyz.Where(r => r.Code != HttpStatusCode.OK).ToList();
        Assert.NotEmpty(down);
        output.WriteLine($"/readyz 503 from {down[0].At.TotalSeconds:F1} s to {down[^1].At.TotalSeconds:F1} s after the API server stopped; back at {back?.TotalSeconds:F1} s, ready at {readyz[^1].At.TotalSeconds:F1} s");
        Assert.All(down, r => Assert.Equal(HttpStatusCode.ServiceUnavailable, r.Code));
        Assert.Contains("API server not reachable", down[0].Body, StringComparison.Ordinal);
        Assert.True(down[0].At > TimeSpan.FromSeconds(10), $"not ready {down[0].At.TotalSeconds:F1} s after the stop: a blip must not make it unready");
        Assert.Equal(HttpStatusCode.OK, readyz[^1].Code);
        Assert.True(readyz[^1].At - back < TimeSpan.FromSeconds(7), $"ready {(readyz[^1].At - back)?.TotalSeconds:F1} s after the API server's return");
        Assert.All(healthz, h => Assert.Equal(HttpStatusCode.OK, h));
        Assert.False(op.Process.HasExited);
    }
}
