using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Edge.Kubernetes.Tests;

public sealed class CoalescerTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_signal_within_the_hold_off_restarts_it()
    {
        var clock = new ObservedClock();
        var coalescer = new Coalescer(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), clock);
        coalescer.Signal();
        var settled = coalescer.WaitAsync(default);
        await clock.ArmedAsync(1);

        clock.Fake.Advance(TimeSpan.FromMilliseconds(50));
        coalescer.Signal();
        await clock.ArmedAsync(2); // the hold-off restarted at 50 ms
        clock.Fake.Advance(TimeSpan.FromMilliseconds(60));
        Assert.NotSame(settled, await Task.WhenAny(settled, Task.Delay(100))); // 110 ms: the first hold-off would have ended

        clock.Fake.Advance(TimeSpan.FromMilliseconds(50));
        Assert.True(await settled.WaitAsync(Bound)); // 160 ms: quiet for 100 ms since the last signal
    }

    [Fact]
    public async Task A_storm_that_is_never_quiet_ends_at_the_maximum_delay()
    {
        var clock = new ObservedClock();
        var coalescer = new Coalescer(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), clock);
        coalescer.Signal();
        var storm = coalescer.WaitAsync(default);
        var timers = 1;
        await clock.ArmedAsync(timers);

        var elapsed = TimeSpan.Zero;
        while (!storm.IsCompleted && elapsed < TimeSpan.FromSeconds(2))
        {
            coalescer.Signal();
            await Task.WhenAny(storm, clock.ArmedAsync(++timers));
            clock.Fake.Advance(TimeSpan.FromMilliseconds(90)); // never quiet for 100 ms
            elapsed += TimeSpan.FromMilliseconds(90);
            await Task.WhenAny(storm, Task.Delay(20));
        }

        Assert.True(await storm.WaitAsync(Bound));
        Assert.InRange(elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(1090)); // the 1 s maximum ended it
    }

    [Fact]
    public async Task Waiting_without_a_signal_ends_with_false_when_cancelled()
    {
        var coalescer = Coalescer.Default(TimeProvider.System);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        Assert.False(await coalescer.WaitAsync(cancel.Token));
    }

    [Fact]
    public async Task Signals_discarded_before_a_read_start_no_burst()
    {
        var coalescer = Coalescer.Default(TimeProvider.System);
        coalescer.Signal();
        coalescer.Signal();
        coalescer.Discard(); // the state read next includes both changes
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        Assert.False(await coalescer.WaitAsync(cancel.Token));

        coalescer.Signal(); // a change after the read still counts
        Assert.True(await coalescer.WaitAsync(default).WaitAsync(Bound));
    }

    [Fact]
    public async Task Stopping_during_a_burst_ends_it()
    {
        var coalescer = Coalescer.Default(TimeProvider.System);
        using var cancel = new CancellationTokenSource();
        coalescer.Signal();
        var settled = coalescer.WaitAsync(cancel.Token);
        await cancel.CancelAsync();
        Assert.True(await settled.WaitAsync(Bound)); // the burst began, so the caller rebuilds once more
    }

    /// <summary>A fake clock that counts the timers created on it, so a test advances time only once the code under test waits.</summary>
    private sealed class ObservedClock : TimeProvider
    {
        private int _timers;

        public FakeTimeProvider Fake { get; } = new();

        public override long TimestampFrequency => Fake.TimestampFrequency;

        public override long GetTimestamp() => Fake.GetTimestamp();

        public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = Fake.CreateTimer(callback, state, dueTime, period);
            Interlocked.Increment(ref _timers);
            return timer;
        }

        public async Task ArmedAsync(int count)
        {
            var deadline = DateTime.UtcNow + Bound;
            while (Volatile.Read(ref _timers) < count)
            {
                Assert.True(DateTime.UtcNow < deadline, $"timer {count} was never armed");
                await Task.Delay(1);
            }
        }
    }
}
