using System.Threading.Channels;

namespace Edge.Kubernetes;

/// <summary>
/// Turns bursts of change signals into one rebuild: <see cref="WaitAsync"/> returns once signals have been quiet for
/// the hold-off, or when the maximum delay since the first signal of the burst has passed, whichever comes first.
/// </summary>
public sealed class Coalescer(TimeSpan holdOff, TimeSpan maxDelay, TimeProvider time)
{
    public static readonly TimeSpan DefaultHoldOff = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan DefaultMaxDelay = TimeSpan.FromSeconds(1);

    private readonly Channel<bool> _signals = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public static Coalescer Default(TimeProvider time) => new(DefaultHoldOff, DefaultMaxDelay, time);

    /// <summary>Something changed (any thread; never blocks).</summary>
    public void Signal() => _signals.Writer.TryWrite(true);

    /// <summary>
    /// Forgets the signals received so far: the caller is about to read a state that already includes them (each
    /// signal follows its change), so they must not cause another rebuild of the same state.
    /// </summary>
    public void Discard() => _signals.Reader.TryRead(out _);

    /// <summary>Waits for a burst to settle; false when cancelled before one began.</summary>
    public async Task<bool> WaitAsync(CancellationToken ct)
    {
        try
        {
            await _signals.Reader.ReadAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        var first = time.GetTimestamp();
        while (true)
        {
            var remaining = maxDelay - time.GetElapsedTime(first);
            if (remaining <= TimeSpan.Zero || !await NextAsync(remaining < holdOff ? remaining : holdOff, ct).ConfigureAwait(false))
            {
                return true; // quiet for the hold-off, the maximum delay reached, or stopping
            }
        }
    }

    private async Task<bool> NextAsync(TimeSpan within, CancellationToken ct)
    {
        if (_signals.Reader.TryRead(out _))
        {
            return true;
        }

        // The hold-off runs on the given clock (a linked source's CancelAfter would use the system clock).
        using var bound = new CancellationTokenSource(within, time);
        using var stopping = ct.Register(static state => ((CancellationTokenSource)state!).Cancel(), bound);
        try
        {
            await _signals.Reader.ReadAsync(bound.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
