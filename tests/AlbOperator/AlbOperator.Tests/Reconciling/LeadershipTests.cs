using System.Diagnostics;
using AlbOperator.Core.Model;
using AlbOperator.Tests.Fixtures;
using k8s.Models;
using Xunit.Abstractions;
using static AlbOperator.Tests.Fixtures.TestCluster;

namespace AlbOperator.Tests.Reconciling;

/// <summary>
/// Several operator processes on one cluster, with lease 6 s, renew deadline 4 s, retry 1 s: only the Lease holder
/// writes; SIGTERM hands over at once; kill -9 within lease duration + 2 retry periods; a leader that cannot renew
/// writes nothing after its renew deadline.
/// </summary>
public sealed class LeadershipTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(6);
    private static readonly TimeSpan RenewDeadline = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan RetryPeriod = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private TestCluster _cluster = null!;
    private List<OperatorProcess> _operators = [];

    public async Task InitializeAsync() => _cluster = await StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var op in _operators)
        {
            await op.DisposeAsync();
        }

        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task Of_three_replicas_only_the_lease_holder_writes_and_every_replica_is_ready()
    {
        await StartOperatorsAsync(3);
        await _cluster.CreateAlbAsync("default", "web");
        await ReconciledAsync("web");

        var leader = Leader();
        var writers = _cluster.Writes().Where(w => w.UserAgent != UserAgent).Select(w => w.UserAgent).Distinct();
        Assert.Equal([leader.UserAgent], writers);
        // Lease writes that took effect: the holder's only (the others may have lost the race to create it: 409).
        var leaseWriters = _cluster.Writes(leases: true).Where(w => w.Resource == "leases" && w.StatusCode < 300).Select(w => w.UserAgent).Distinct();
        Assert.Equal([leader.UserAgent], leaseWriters);
        foreach (var op in _operators)
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, (await op.Admin.GetAsync("/readyz")).StatusCode);
            Assert.Equal(op == leader ? 1 : 0, await op.MetricAsync("alb_operator_leader"));
        }
    }

    [Fact]
    public async Task A_leader_stopped_hands_over_at_once_and_a_killed_one_once_its_lease_expired()
    {
        await StartOperatorsAsync(3);
        await _cluster.CreateAlbAsync("default", "web");
        await ReconciledAsync("web");
        var first = Leader();

        // SIGTERM: the leader stops its work, releases the Lease and exits; another takes it at its next try.
        var clock = Stopwatch.StartNew();
        first.Process.Signal(15);
        Assert.Equal(0, await first.Process.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        var exited = clock.Elapsed;
        await EventuallyAsync(() => _cluster.LeaseHolder is { } h && h != first.Identity, Wait, () => "a new Lease holder after SIGTERM");
        var afterSigterm = clock.Elapsed;
        var second = Leader();
        await ScaleAsync(4, second);
        output.WriteLine($"SIGTERM: leader exited after {exited.TotalSeconds:F2} s, {second.Identity} held the Lease after {afterSigterm.TotalSeconds:F2} s, and applied a change after {clock.Elapsed.TotalSeconds:F2} s");
        Assert.True(afterSigterm < TimeSpan.FromSeconds(5), $"handover after SIGTERM took {afterSigterm.TotalSeconds:F2} s");

        // kill -9: nothing is released; the others take over once the Lease has not changed for its duration, counted
        // from when they saw its last renewal (up to one retry period, jittered by 1.2, after it happened), at their next
        // try: lease duration + 1 to 2 retry periods.
        clock.Restart();
        second.Process.Signal(9);
        await EventuallyAsync(() => _cluster.LeaseHolder is { } h && h != second.Identity, Wait, () => "a new Lease holder after kill -9");
        var afterKill = clock.Elapsed;
        var third = Leader();
        await ScaleAsync(5, third);
        var bound = LeaseDuration + RetryPeriod * 2.4;
        output.WriteLine($"kill -9: {third.Identity} held the Lease after {afterKill.TotalSeconds:F2} s and applied a change after {clock.Elapsed.TotalSeconds:F2} s (bound: {bound.TotalSeconds:F1} s)");
        Assert.True(afterKill >= LeaseDuration - RetryPeriod * 1.2, $"took over after {afterKill.TotalSeconds:F2} s: before the Lease could expire");
        Assert.True(afterKill <= bound + TimeSpan.FromSeconds(1), $"takeover after kill -9 took {afterKill.TotalSeconds:F2} s");
        Assert.NotEqual(first, third);
    }

    [Fact]
    public async Task A_leader_that_cannot_renew_writes_nothing_after_its_renew_deadline()
    {
        await StartOperatorsAsync(2);
        await _cluster.CreateAlbAsync("default", "web");
        await ReconciledAsync("web");
        var leader = Leader();
        var follower = _operators.Single(o => o != leader);

        // The leader's Lease requests fail from now on; meanwhile someone keeps scaling the Deployment by hand, so
        // that there is always something to repair.
        var clock = Stopwatch.StartNew();
        _cluster.Api.Faults.FailWhen(r => r.Resource == "leases" && r.UserAgent == leader.UserAgent, 500);
        long mark = 0;
        var edits = 0;
        while (clock.Elapsed < LeaseDuration + RetryPeriod * 1.2 + TimeSpan.FromSeconds(4))
        {
            await _cluster.SendAsync(HttpMethod.Patch, "/apis/apps/v1/namespaces/default/deployments/web", """{"spec":{"replicas":9}}""", "application/merge-patch+json");
            edits++;
            await Task.Delay(250);
            if (mark == 0 && clock.Elapsed > RenewDeadline + TimeSpan.FromMilliseconds(500))
            {
                mark = _cluster.LastSequence; // its deadline has passed: from here on it must be silent
            }
        }

        var late = _cluster.Writes(mark, leases: true).Where(w => w.UserAgent == leader.UserAgent).ToList();
        Assert.True(late.Count == 0, "the old leader wrote after its renew deadline: " + string.Join(", ", late.Select(w => w.ToString())) + "\n" + leader.Process.Output());
        Assert.False(leader.Process.HasExited);
        Assert.Equal(0, await leader.MetricAsync("alb_operator_leader"));

        // Precisely: its last write was answered no later than its renew deadline, counted from its last renewal (the
        // elector counts from the start of the renewal, a little earlier; 500 ms for a loaded server to answer a
        // request sent just before the deadline).
        var leaderWrites = _cluster.Writes(leases: true).Where(w => w.UserAgent == leader.UserAgent).ToList();
        var lastRenewal = _cluster.Answered[leaderWrites.Last(w => w.Resource == "leases" && w.StatusCode is 200 or 201).Sequence];
        var lastWrite = _cluster.Answered[leaderWrites.Last(w => w.Resource != "leases").Sequence];
        output.WriteLine($"{edits} hand edits; the old leader's last write was answered {(lastWrite - lastRenewal).TotalSeconds:F2} s after its last renewal (renew deadline {RenewDeadline.TotalSeconds:F0} s)");
        Assert.True(lastWrite <= lastRenewal + RenewDeadline + TimeSpan.FromMilliseconds(500), $"last write {(lastWrite - lastRenewal).TotalSeconds:F2} s after the last renewal");

        // The other replica took over and repairs.
        Assert.Equal(follower.Identity, _cluster.LeaseHolder);
        Assert.Contains(_cluster.Writes(mark), w => w.UserAgent == follower.UserAgent && w.Resource == "deployments");
        await EventuallyAsync(() => _cluster.Api.Objects.Get<V1Deployment>("default", "web")?.Spec.Replicas == 3, Wait, () => "the new leader repaired the Deployment");
    }

    private async Task StartOperatorsAsync(int count) =>
        _operators = [.. await Task.WhenAll(Enumerable.Range(0, count).Select(i => OperatorProcess.StartAsync(_cluster.Kubeconfig, $"op-{i}", OperatorProcess.FastLease)))];

    private OperatorProcess Leader() => _operators.Single(o => o.Identity == _cluster.LeaseHolder);

    private Task ReconciledAsync(string name) =>
        EventuallyAsync(
            () => _cluster.Desired("default", name).Objects.All(o => (string?)_cluster.Stored(o)?["metadata"]?["annotations"]?[AlbApi.DesiredHashAnnotation] == o.Hash),
            Wait, () => $"every object of Alb default/{name} applied\n" + string.Join("\n", _operators.Select(o => o.Process.Output())));

    /// <summary>Changes the Alb's replicas and waits for <paramref name="by"/> to apply them.</summary>
    private async Task ScaleAsync(int replicas, OperatorProcess by)
    {
        var mark = _cluster.LastSequence;
        await _cluster.PatchAlbAsync("default", "web", """{"spec":{"replicas":""" + replicas + "}}");
        await EventuallyAsync(() => _cluster.Api.Objects.Get<V1Deployment>("default", "web")?.Spec.Replicas == replicas, Wait, () => $"replicas {replicas} applied\n{by.Process.Output()}");
        Assert.Equal([by.UserAgent], _cluster.Writes(mark).Where(w => w.UserAgent != UserAgent).Select(w => w.UserAgent).Distinct());
    }
}
