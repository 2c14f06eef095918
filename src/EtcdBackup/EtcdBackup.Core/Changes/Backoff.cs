namespace EtcdBackup.Core.Changes;

/// <summary>
/// Capped exponential backoff with full jitter: attempt n waits a random time in [base·2ⁿ/2, base·2ⁿ], never more than
/// the cap. Half the delay is kept so a burst of retries never lands at once, the other half is random so several
/// mirrors do not retry in step. <see cref="Reset"/> after a success.
/// </summary>
public sealed class Backoff(TimeSpan initial, TimeSpan cap, Random random)
{
    private int _attempt;

    public static Backoff Default(Random random) => new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), random);

    public int Attempt => _attempt;

    public TimeSpan Next()
    {
        var ceiling = Math.Min(cap.TotalMilliseconds, initial.TotalMilliseconds * Math.Pow(2, Math.Min(_attempt, 30)));
        _attempt++;
        return TimeSpan.FromMilliseconds((ceiling / 2) + (random.NextDouble() * ceiling / 2));
    }

    public void Reset() => _attempt = 0;
}
