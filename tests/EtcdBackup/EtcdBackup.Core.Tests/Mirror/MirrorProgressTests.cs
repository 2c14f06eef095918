using EtcdBackup.Core.Mirror;

namespace EtcdBackup.Core.Tests.Mirror;

public sealed class MirrorProgressTests
{
    [Fact]
    public void Lag_is_zero_when_caught_up_and_counts_time_from_the_last_catch_up()
    {
        var t0 = DateTimeOffset.UnixEpoch;
        var progress = new MirrorProgress(t0);
        progress.OnApplied(10, t0);
        progress.OnSource(10, idle: true, t0);
        Assert.Equal(TimeSpan.Zero, progress.LagTime(t0.AddSeconds(5)));
        progress.OnSource(15, idle: false, t0.AddSeconds(6));
        Assert.Equal(5, progress.LagRevisions);
        Assert.Equal(TimeSpan.FromSeconds(9), progress.LagTime(t0.AddSeconds(9))); // last known caught up at t0
        progress.OnSource(40, idle: true, t0.AddSeconds(10)); // writes outside the mirrored ranges
        Assert.Equal(0, progress.LagRevisions);
    }
}
