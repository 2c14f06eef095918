using System.Globalization;

namespace Alb.Core.Translation;

/// <summary>Parsers for the nginx value syntaxes that ingress-nginx annotations and ConfigMap keys use.</summary>
public static class NginxValues
{
    /// <summary>An nginx size: bytes, or a number with k/K, m/M or g/G. Bounded to 1 TiB.</summary>
    public static bool TryParseSize(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var span = text.AsSpan().Trim();
        long multiplier = 1;
        switch (span[^1])
        {
            case 'k' or 'K':
                multiplier = 1024;
                span = span[..^1];
                break;
            case 'm' or 'M':
                multiplier = 1024 * 1024;
                span = span[..^1];
                break;
            case 'g' or 'G':
                multiplier = 1024L * 1024 * 1024;
                span = span[..^1];
                break;
        }

        if (!long.TryParse(span, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > (1L << 40) / multiplier)
        {
            return false;
        }

        bytes = n * multiplier;
        return true;
    }

    /// <summary>An annotation boolean as ingress-nginx reads it (Go's strconv.ParseBool).</summary>
    public static bool TryParseBool(string? text, out bool value)
    {
        switch (text?.Trim())
        {
            case "1" or "t" or "T" or "true" or "TRUE" or "True":
                value = true;
                return true;
            case "0" or "f" or "F" or "false" or "FALSE" or "False":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }
}
