using EtcdBackup.Core.Changes;

namespace EtcdBackup.Core.Tests.Changes;

public sealed class BackoffTests
{
    [Fact]
    public void Backoff_grows_to_its_cap_with_jitter_and_resets()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), new Random(1));
        var delays = Enumerable.Range(0, 8).Select(_ => backoff.Next().TotalMilliseconds).ToList();
        Assert.InRange(delays[0], 50, 100);
        Assert.All(delays, d => Assert.InRange(d, 50, 1000));
        Assert.InRange(delays[^1], 500, 1000);
        backoff.Reset();
        Assert.InRange(backoff.Next().TotalMilliseconds, 50, 100);
    }
}
