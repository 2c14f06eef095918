namespace VipDaemon.Core.Protocol;

/// <summary>RFC 5798 §6.1 / RFC 3768 §6.1 timer arithmetic, in microseconds.</summary>
public static class Timers
{
    /// <summary>v3: ((256 − priority) × Master_Adver_Interval) / 256; v2: (256 − priority) / 256 seconds.</summary>
    public static TimeSpan Skew(int version, byte priority, int masterAdverIntervalCentiseconds) =>
        version == 2
            ? TimeSpan.FromMicroseconds((256 - priority) * 1_000_000L / 256)
            : TimeSpan.FromMicroseconds((256 - priority) * masterAdverIntervalCentiseconds * 10_000L / 256);

    /// <summary>3 × Master_Adver_Interval + Skew_Time.</summary>
    public static TimeSpan MasterDownInterval(int version, byte priority, int masterAdverIntervalCentiseconds) =>
        TimeSpan.FromMicroseconds(3L * masterAdverIntervalCentiseconds * 10_000) + Skew(version, priority, masterAdverIntervalCentiseconds);
}
