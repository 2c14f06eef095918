namespace Edge.Kubernetes;

/// <summary>Where the Lease is, who we are, and the timing (client-go's defaults: 15 s, 10 s, 2 s).</summary>
public sealed record LeaderElectionOptions(string Namespace, string LeaseName, string Identity)
{
    /// <summary>How long others wait, from when they last saw the Lease change, before taking it over.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>A leader that has not renewed for this long (from the start of its last successful renewal) stops leading.</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The interval between tries (acquire and renew).</summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The errors of the timing, as client-go checks them (LeaseDuration &gt; RenewDeadline &gt; 1.2 × RetryPeriod).</summary>
    public IEnumerable<string> Validate()
    {
        if (LeaseDuration <= RenewDeadline)
        {
            yield return "the lease duration must be longer than the renew deadline";
        }

        if (RenewDeadline <= RetryPeriod * 1.2)
        {
            yield return "the renew deadline must be longer than 1.2 x the retry period";
        }

        if (RetryPeriod <= TimeSpan.Zero)
        {
            yield return "the retry period must be positive";
        }
    }
}
