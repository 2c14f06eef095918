namespace EtcdBackup.Core.Retention;

/// <summary>
/// How many snapshots to keep in each target: the last <see cref="KeepLast"/>, plus the newest snapshot of each of
/// the most recent <see cref="Hourly"/> hours, <see cref="Daily"/> days, <see cref="Weekly"/> ISO weeks and
/// <see cref="Monthly"/> months that have one (UTC). Leftovers of interrupted runs older than
/// <see cref="IncompleteGrace"/> are removed.
/// </summary>
public sealed record RetentionPolicy(int KeepLast, int Hourly, int Daily, int Weekly, int Monthly, TimeSpan IncompleteGrace)
{
    public const int MaxCount = 100_000;

    public static RetentionPolicy Default { get; } = new(KeepLast: 7, Hourly: 0, Daily: 0, Weekly: 0, Monthly: 0, TimeSpan.Zero);

    /// <summary>Every problem with the policy, each naming its field.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        Check(KeepLast, "keepLast", min: 1);
        Check(Hourly, "hourly", min: 0);
        Check(Daily, "daily", min: 0);
        Check(Weekly, "weekly", min: 0);
        Check(Monthly, "monthly", min: 0);
        if (IncompleteGrace < TimeSpan.Zero)
        {
            errors.Add("retention.incompleteGrace: must not be negative");
        }

        return errors;

        void Check(int value, string field, int min)
        {
            if (value < min || value > MaxCount)
            {
                errors.Add($"retention.{field}: {value} is outside {min}..{MaxCount}");
            }
        }
    }

    public override string ToString() =>
        $"last {KeepLast}, {Hourly} hourly, {Daily} daily, {Weekly} weekly, {Monthly} monthly";
}
