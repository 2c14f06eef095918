using System.Diagnostics;
using Edge.Testing.KubeApi;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Edge.Kubernetes.Tests;

/// <summary>Two replicas electing on one Lease of the test API server, with short timings (3 s / 2 s / 0.5 s).</summary>
public sealed class LeaderElectorTests : IAsyncLifetime
{
    private TestApiServer _server = null!;

    public async Task InitializeAsync() => _server = await TestApiServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private sealed class Replica(string name, TestApiServer server) : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private Task? _run;

        public KubeApi Api { get; } = new(server.CreateClient()) { UserAgent = name };

        public LeaderElector Elector { get; } = new(
            new KubeApi(server.CreateClient()) { UserAgent = name },
            new LeaderElectionOptions("default", "edge-test", name)
            {
                LeaseDuration = TimeSpan.FromSeconds(3),
                RenewDeadline = TimeSpan.FromSeconds(2),
                RetryPeriod = TimeSpan.FromMilliseconds(500),
            },
            TimeProvider.System,
            NullLogger.Instance);

        public string Name => name;

        public int Terms;

        public long LostAt; // Stopwatch timestamp when the last term's token was cancelled

        public void Start(Func<CancellationToken, Task>? work = null) =>
            _run = Elector.RunAsync(async token =>
            {
                Interlocked.Increment(ref Terms);
                token.Register(() => Volatile.Write(ref LostAt, Stopwatch.GetTimestamp()));
                await (work ?? (t => Task.Delay(Timeout.Infinite, t)))(token);
            }, _stop.Token);

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            if (_run is not null)
            {
                await _run;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            _stop.Dispose();
        }
    }

    private V1LeaseSpec? Lease() => _server.Objects.Get<V1Lease>("default", "edge-test")?.Spec;

    [Fact]
    public async Task One_replica_leads_and_a_stopped_leader_releases_the_lease_at_once()
    {
        await using var a = new Replica("a", _server);
        await using var b = new Replica("b", _server);
        a.Start();
        await Eventually.TrueAsync(() => a.Elector.IsLeader, "a leads");
        b.Start();
        await Task.Delay(1500);
        Assert.False(b.Elector.IsLeader);
        Assert.Equal("a", Lease()?.HolderIdentity);

        var stopped = Stopwatch.StartNew();
        await a.StopAsync(); // releases: empty holder, 1 s duration
        Assert.Equal("", Lease()?.HolderIdentity ?? "");
        await Eventually.TrueAsync(() => b.Elector.IsLeader, "b takes over");
        Assert.True(stopped.Elapsed < TimeSpan.FromSeconds(3), $"b waited {stopped.Elapsed.TotalSeconds:F1} s, a whole lease duration or more");
        Assert.Equal("b", Lease()?.HolderIdentity);
        Assert.Equal(1, Lease()?.LeaseTransitions);
    }

    [Fact]
    public async Task A_leader_that_cannot_renew_stops_writing_at_its_renew_deadline_and_another_takes_over()
    {
        await using var a = new Replica("a", _server);
        await using var b = new Replica("b", _server);
        var writesAfterLoss = 0;
        a.Start(async token =>
        {
            // Leader-only work: a write every 50 ms, each carrying the leadership token.
            for (var i = 0; ; i++)
            {
                token.ThrowIfCancellationRequested();
                await a.Api.MergePatchAsync<V1Lease>(ResourceKind.Leases, "default", "edge-test", "{}", token).ContinueWith(_ => { }, TaskScheduler.Default);
                if (Volatile.Read(ref a.LostAt) != 0)
                {
                    Interlocked.Increment(ref writesAfterLoss);
                }

                await Task.Delay(50, token);
            }
        });
        await Eventually.TrueAsync(() => a.Elector.IsLeader, "a leads");
        b.Start();

        var paused = Stopwatch.GetTimestamp();
        _server.Faults.FailWhen(r => r.UserAgent == "a" && r.Resource == "leases" && r.Verb == "update", 500); // a's renewals fail
        await Eventually.TrueAsync(() => Volatile.Read(ref a.LostAt) != 0, "a's leadership token cancelled", TimeSpan.FromSeconds(5));
        var lostAfter = Stopwatch.GetElapsedTime(paused, a.LostAt);
        Assert.True(lostAfter <= TimeSpan.FromSeconds(2.5), $"a stopped leading {lostAfter.TotalSeconds:F2} s after its renewals began to fail (renew deadline 2 s)");
        Assert.False(a.Elector.IsLeader);

        // A patch sent just before the token was cancelled can reach the server a moment later (it counts in
        // writesAfterLoss at most once, below): let it land, then nothing more may come.
        await Task.Delay(500);
        var patchesBefore = _server.Requests.Where(r => r.UserAgent == "a" && r.Verb == "patch").Count;
        await Eventually.TrueAsync(() => b.Elector.IsLeader, "b takes over after the lease duration", TimeSpan.FromSeconds(8));
        Assert.Equal(patchesBefore, _server.Requests.Where(r => r.UserAgent == "a" && r.Verb == "patch").Count); // nothing written after the deadline
        Assert.True(writesAfterLoss <= 1, $"{writesAfterLoss} writes began after the token was cancelled"); // at most the one in flight
        Assert.Equal("b", Lease()?.HolderIdentity);
    }

    [Fact]
    public async Task A_killed_leader_is_replaced_within_lease_duration_plus_retry_period()
    {
        await using var a = new Replica("a", _server);
        await using var b = new Replica("b", _server);
        a.Start();
        await Eventually.TrueAsync(() => a.Elector.IsLeader, "a leads");
        b.Start();

        _server.Faults.FailWhen(r => r.UserAgent == "a", 503); // a is gone: none of its requests arrive
        var killed = Stopwatch.StartNew();
        await Eventually.TrueAsync(() => b.Elector.IsLeader, "b takes over", TimeSpan.FromSeconds(8));
        Assert.True(killed.Elapsed <= TimeSpan.FromSeconds(3 + 0.6 + 1), $"b took {killed.Elapsed.TotalSeconds:F1} s (lease 3 s + retry 0.6 s + 1 s slack)");
    }
}
