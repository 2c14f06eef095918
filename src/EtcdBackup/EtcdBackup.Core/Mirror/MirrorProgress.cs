namespace EtcdBackup.Core.Mirror;

/// <summary>
/// How far behind the source the mirror is. The source's revision comes from progress answers (asked for every
/// second) and watch headers; the mirror counts as caught up to a progress answer's revision when it arrives with
/// nothing left to apply, because the source's revision also moves with writes outside the mirrored prefixes (in a
/// Kubernetes cluster, leases renew every few seconds), which the mirror never sees as events. Lag in seconds is the
/// time since the mirror was last caught up, 0 while it is.
/// </summary>
public sealed class MirrorProgress
{
    private readonly object _lock = new();
    private DateTimeOffset _caughtUpAt;

    public MirrorProgress(DateTimeOffset now) => _caughtUpAt = now;

    public long Applied { get; private set; }

    public long Source { get; private set; }

    private long _caughtUpTo;

    /// <summary>The destination holds the source's state at <paramref name="revision"/> (a transaction with its mark committed).</summary>
    public void OnApplied(long revision, DateTimeOffset now)
    {
        lock (_lock)
        {
            Applied = Math.Max(Applied, revision);
            Touch(now);
        }
    }

    /// <summary>The source was at <paramref name="revision"/>; <paramref name="idle"/>: the mirror had nothing left to apply.</summary>
    public void OnSource(long revision, bool idle, DateTimeOffset now)
    {
        lock (_lock)
        {
            Source = Math.Max(Source, revision);
            if (idle)
            {
                _caughtUpTo = Math.Max(_caughtUpTo, revision);
            }

            Touch(now);
        }
    }

    public long LagRevisions
    {
        get
        {
            lock (_lock)
            {
                return Math.Max(0, Source - Math.Max(Applied, _caughtUpTo));
            }
        }
    }

    public TimeSpan LagTime(DateTimeOffset now)
    {
        lock (_lock)
        {
            return LagRevisions == 0 ? TimeSpan.Zero : now - _caughtUpAt;
        }
    }

    private void Touch(DateTimeOffset now)
    {
        if (Source <= Math.Max(Applied, _caughtUpTo))
        {
            _caughtUpAt = now;
        }
    }
}
