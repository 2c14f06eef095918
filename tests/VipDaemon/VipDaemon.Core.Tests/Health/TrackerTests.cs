using VipDaemon.Core.Config;
using VipDaemon.Core.Health;
using Xunit;

namespace VipDaemon.Core.Tests.Health;

public sealed class TrackerTests
{
    private static TrackerState Http(int weight, int rise = 2, int fall = 3) =>
        TrackerState.Initial(new TrackerSettings("alb", TrackerKind.Http, weight) { Rise = rise, Fall = fall });

    [Fact]
    public void Rises_and_falls_with_hysteresis()
    {
        var t = Http(0) with { Healthy = false };
        Assert.True(Http(0).Healthy); // checks start healthy (keepalived without init_fail)
        (t, var changed) = t.Observe(true);
        Assert.False(changed);
        (t, changed) = t.Observe(true);
        Assert.True(changed);
        Assert.True(t.Healthy);
        (t, _) = t.Observe(false);
        (t, _) = t.Observe(false);
        (t, _) = t.Observe(true); // a success breaks the failure streak
        (t, _) = t.Observe(false);
        (t, _) = t.Observe(false);
        Assert.True(t.Healthy);
        (t, changed) = t.Observe(false);
        Assert.True(changed);
        Assert.False(t.Healthy);
    }

    [Fact]
    public void Weighs_trackers_as_keepalived_does()
    {
        TrackerState With(int weight, bool healthy) => Http(weight) with { Healthy = healthy };
        Assert.Equal(((byte)100, false), PriorityCalculator.Compute(100, [With(-20, true), With(10, false)]));
        Assert.Equal(((byte)80, false), PriorityCalculator.Compute(100, [With(-20, false)]));
        Assert.Equal(((byte)110, false), PriorityCalculator.Compute(100, [With(10, true)]));
        Assert.Equal(((byte)100, true), PriorityCalculator.Compute(100, [With(0, false)]));
        Assert.Equal(((byte)254, false), PriorityCalculator.Compute(250, [With(50, true)])); // never 255 by tracking
        Assert.Equal(((byte)1, false), PriorityCalculator.Compute(10, [With(-50, false)]));  // never 0
        Assert.Equal(((byte)255, true), PriorityCalculator.Compute(255, [With(0, false)]));
    }
}
