using EtcdBackup.Core.Scheduling;

namespace EtcdBackup.Core.Tests.Scheduling;

public class CronScheduleTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 14, 7, 30, TimeSpan.Zero);

    [Theory]
    [InlineData("@hourly", "2026-11-25T15:00:00Z")]
    [InlineData("*/15 * * * *", "2026-11-25T14:15:00Z")]
    [InlineData("0 0 * * *", "2026-11-26T00:00:00Z")]
    [InlineData("*/10 * * * * *", "2026-11-25T14:07:40Z")]
    public void Next_occurrence_is_in_utc(string text, string next)
    {
        Assert.True(CronSchedule.TryParse(text, out var schedule, out var error), error);
        Assert.Equal(DateTimeOffset.Parse(next, System.Globalization.CultureInfo.InvariantCulture), schedule!.Next(Now));
    }

    [Theory]
    [InlineData("")]
    [InlineData("* * *")]
    [InlineData("60 * * * *")]
    [InlineData("* * 32 * *")]
    [InlineData("@sometimes")]
    public void Rejects_malformed_schedules_with_a_reason(string text)
    {
        Assert.False(CronSchedule.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }
}
