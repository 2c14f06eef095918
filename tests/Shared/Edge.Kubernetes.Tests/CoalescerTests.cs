using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Edge.Kubernetes.Tests;

public sealed class CoalescerTests
{
    [Fact]
    public async Task A_burst_settles_after_the_hold_off_and_a_storm_after_the_maximum_delay()
    {
        var time = new FakeTimeProvider();
        var coalescer = new Coalescer(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), time);
        coalescer.Signal();
        var settled = coalescer.WaitAsync(default);
        await Task.Yield();
        time.Advance(TimeSpan.FromMilliseconds(50));
        coalescer.Signal();
        await Task.Delay(20);
        time.Advance(TimeSpan.FromMilliseconds(60));
        await Task.Delay(20);
        Assert.False(settled.IsCompleted); // a signal 50 ms in restarted the hold-off
        time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.True(await settled.WaitAsync(TimeSpan.FromSeconds(5)));

        coalescer.Signal();
        var storm = coalescer.WaitAsync(default);
        for (var i = 0; i < 12 && !storm.IsCompleted; i++)
        {
            coalescer.Signal();
            await Task.Delay(10);
            time.Advance(TimeSpan.FromMilliseconds(90)); // never quiet for 100 ms
            await Task.Delay(10);
        }

        Assert.True(storm.IsCompleted); // the 1 s maximum ended it
        Assert.True(await storm);
    }

    [Fact]
    public async Task Waiting_without_a_signal_ends_with_false_when_cancelled()
    {
        var coalescer = Coalescer.Default(TimeProvider.System);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        Assert.False(await coalescer.WaitAsync(cancel.Token));
    }
}
