using System.Globalization;

namespace VipDaemon.Core.Config;

/// <summary>Durations as written in the config: <c>1s</c>, <c>100ms</c>, <c>20ms</c>, <c>2m</c>, or bare seconds (<c>0.5</c>).</summary>
public static class Durations
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        (string Number, double Scale) split =
            s.EndsWith("ms", StringComparison.Ordinal) ? (s[..^2], 0.001)
            : s.EndsWith("cs", StringComparison.Ordinal) ? (s[..^2], 0.01)
            : s.EndsWith('s') ? (s[..^1], 1)
            : s.EndsWith('m') ? (s[..^1], 60)
            : (s, 1);
        if (!double.TryParse(split.Number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) || double.IsInfinity(n) || n > 1e7)
        {
            return false;
        }

        value = TimeSpan.FromSeconds(n * split.Scale);
        return true;
    }
}
