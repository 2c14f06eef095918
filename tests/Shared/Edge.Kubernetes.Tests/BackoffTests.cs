using Xunit;

namespace Edge.Kubernetes.Tests;

public sealed class BackoffTests
{
    [Fact]
    public void Waits_grow_to_the_cap_with_jitter_and_reset()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2), new Random(7));
        var waits = Enumerable.Range(0, 12).Select(_ => backoff.Next()).ToList();
        for (var i = 0; i < waits.Count; i++)
        {
            Assert.InRange(waits[i].TotalMilliseconds, Backoff.Floor.TotalMilliseconds, Math.Min(2000, 100 * Math.Pow(2, i)));
        }

        Assert.True(waits.Skip(6).Max() > TimeSpan.FromMilliseconds(400)); // it did grow
        Assert.Equal(12, backoff.Attempts);
        backoff.Reset();
        Assert.InRange(backoff.Next().TotalMilliseconds, Backoff.Floor.TotalMilliseconds, 100);
    }

    [Fact]
    public void A_lower_ceiling_bounds_a_wait_without_resetting_the_growth()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), new Random(11));
        var waits = Enumerable.Range(0, 20).Select(_ => backoff.Next(TimeSpan.FromSeconds(1))).ToList();
        Assert.All(waits, w => Assert.InRange(w.TotalMilliseconds, Backoff.Floor.TotalMilliseconds, 1000));
        Assert.True(waits.Skip(10).Max() > TimeSpan.FromMilliseconds(500)); // grew to the lower ceiling
        Assert.True(Enumerable.Range(0, 20).Select(_ => backoff.Next()).Max() > TimeSpan.FromSeconds(2)); // the usual cap applies again
        Assert.InRange(backoff.Next(TimeSpan.FromMinutes(5)).TotalMilliseconds, Backoff.Floor.TotalMilliseconds, 30_000); // never above the cap
    }

    [Fact]
    public void Leader_election_timings_are_checked_as_client_go_checks_them()
    {
        Assert.Empty(new LeaderElectionOptions("ns", "lease", "me").Validate());
        Assert.Contains(new LeaderElectionOptions("ns", "lease", "me") { RenewDeadline = TimeSpan.FromSeconds(20) }.Validate(), e => e.Contains("lease duration", StringComparison.Ordinal));
        Assert.Contains(new LeaderElectionOptions("ns", "lease", "me") { RetryPeriod = TimeSpan.FromSeconds(9) }.Validate(), e => e.Contains("1.2", StringComparison.Ordinal));
    }
}
