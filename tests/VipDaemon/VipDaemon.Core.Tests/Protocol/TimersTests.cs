using VipDaemon.Core.Protocol;
using Xunit;

namespace VipDaemon.Core.Tests.Protocol;

public sealed class TimersTests
{
    // Figures of reference/vrrp.md §6.2.
    [Theory]
    [InlineData(3, 100, 100, 609.375, 3609.375)]
    [InlineData(3, 150, 100, 414.0625, 3414.0625)]
    [InlineData(3, 50, 100, 804.6875, 3804.6875)]
    [InlineData(3, 100, 10, 60.9375, 360.9375)]
    [InlineData(3, 254, 2, 0.15625, 60.15625)]
    [InlineData(2, 100, 100, 609.375, 3609.375)]
    [InlineData(2, 100, 300, 609.375, 9609.375)]
    public void Compute_skew_and_master_down_interval(int version, byte priority, int intervalCs, double skewMs, double downMs)
    {
        Assert.Equal(skewMs, Timers.Skew(version, priority, intervalCs).TotalMilliseconds, 0.001); // microsecond resolution
        Assert.Equal(downMs, Timers.MasterDownInterval(version, priority, intervalCs).TotalMilliseconds, 0.001);
    }
}
