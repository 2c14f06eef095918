using System.Globalization;

namespace AlbOperator.Core.Validation;

/// <summary><c>spec.vip.advertInterval</c>: whole milliseconds or seconds (<c>100ms</c>, <c>1s</c>) in VRRPv3's 10 ms to 40.95 s, in steps of 10 ms.</summary>
public static class AdvertInterval
{
    public const string Pattern = "^[0-9]+(ms|s)$";

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        var (digits, scale) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 1) : text.EndsWith('s') ? (text[..^1], 1000) : ("", 0);
        if (digits.Length is 0 or > 6 || !digits.All(char.IsAsciiDigit))
        {
            return false;
        }

        value = TimeSpan.FromMilliseconds(long.Parse(digits, CultureInfo.InvariantCulture) * scale);
        return true;
    }

    public static string? Check(string text)
    {
        if (!TryParse(text, out var value))
        {
            return $"\"{text}\" is not a duration in whole ms or s (e.g. 100ms, 1s)";
        }

        return value < TimeSpan.FromMilliseconds(10) || value > TimeSpan.FromMilliseconds(40_950) || value.TotalMilliseconds % 10 != 0
            ? $"{text} is outside VRRPv3's 10ms..40950ms in steps of 10ms"
            : null;
    }
}
