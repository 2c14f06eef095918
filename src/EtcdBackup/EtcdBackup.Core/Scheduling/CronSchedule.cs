using Cronos;

namespace EtcdBackup.Core.Scheduling;

/// <summary>
/// A cron schedule (five fields, as crontab and Kubernetes CronJobs write them; six with seconds first; or a macro
/// such as <c>@hourly</c>), evaluated in UTC against a given <c>now</c>.
/// </summary>
public sealed class CronSchedule
{
    private readonly CronExpression _expression;

    private CronSchedule(string text, CronExpression expression)
    {
        Text = text;
        _expression = expression;
    }

    public string Text { get; }

    public static bool TryParse(string text, out CronSchedule? schedule, out string error)
    {
        schedule = null;
        error = "";
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            error = "empty schedule";
            return false;
        }

        var fields = trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (!trimmed.StartsWith('@') && fields is not (5 or 6))
        {
            error = $"\"{text}\" is not a cron schedule: five fields (minute hour day-of-month month day-of-week), six with seconds first, or a macro like @hourly";
            return false;
        }

        try
        {
            var format = fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
            schedule = new CronSchedule(trimmed, CronExpression.Parse(trimmed, format));
            return true;
        }
        catch (CronFormatException e)
        {
            error = $"\"{text}\" is not a cron schedule: {e.Message}";
            return false;
        }
    }

    /// <summary>The first time strictly after <paramref name="after"/>, or null if the schedule never fires again.</summary>
    public DateTimeOffset? Next(DateTimeOffset after) => _expression.GetNextOccurrence(after, TimeZoneInfo.Utc);

    public override string ToString() => Text;
}
