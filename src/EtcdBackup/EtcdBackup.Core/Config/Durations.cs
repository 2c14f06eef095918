using System.Globalization;

namespace EtcdBackup.Core.Config;

/// <summary>Durations as operators write them: <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>2h</c>, <c>7d</c>.</summary>
public static class Durations
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        var t = text.Trim();
        var unitStart = t.AsSpan().IndexOfAnyExceptInRange('0', '9');
        if (unitStart <= 0 || !long.TryParse(t.AsSpan(0, unitStart), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > 1_000_000_000)
        {
            return false;
        }

        TimeSpan? result = t[unitStart..] switch
        {
            "ms" => TimeSpan.FromMilliseconds(n),
            "s" => TimeSpan.FromSeconds(n),
            "m" => TimeSpan.FromMinutes(n),
            "h" => TimeSpan.FromHours(n),
            "d" => TimeSpan.FromDays(n),
            _ => null,
        };
        value = result ?? default;
        return result is not null;
    }
}
