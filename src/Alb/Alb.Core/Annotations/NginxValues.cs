using System.Globalization;
using System.Net;

namespace Alb.Core.Annotations;

/// <summary>
/// The one grammar for ingress-nginx annotation values and ConfigMap keys: booleans (Go's strconv.ParseBool), whole
/// numbers, nginx sizes and times, comma lists and CIDR lists. TryParse-shaped: bad text gives false, never throws.
/// </summary>
public static class NginxValues
{
    /// <summary>Longest value any annotation parser looks at; longer values are bad values (bounds the work per key).</summary>
    public const int MaxValueLength = 4096;

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

    /// <summary>A boolean as ingress-nginx reads it: Go's strconv.ParseBool, no trimming (<c>"true "</c> is not a boolean).</summary>
    public static bool TryParseBool(string? text, out bool value)
    {
        switch (text)
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

    /// <summary>A whole number in <paramref name="min"/>..<paramref name="max"/> (Go's strconv.Atoi: optional sign, digits, no spaces).</summary>
    public static bool TryParseInt(string? text, int min, int max, out int value)
    {
        value = 0;
        if (text is null)
        {
            return false;
        }

        var span = text.AsSpan();
        return span.Length is > 0 and <= 11 &&
            int.TryParse(span, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) &&
            value >= min && value <= max;
    }

    /// <summary>
    /// An nginx time as ingress-nginx timeouts are written: whole seconds (<c>60</c>) or with a unit (<c>60s</c>,
    /// <c>2m</c>, <c>500ms</c>, <c>1h</c>). Returns milliseconds, bounded to one day.
    /// </summary>
    public static bool TryParseDuration(string? text, out int milliseconds)
    {
        milliseconds = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var span = text.AsSpan().Trim();
        long unit = 1000;
        if (span.EndsWith("ms", StringComparison.Ordinal))
        {
            unit = 1;
            span = span[..^2];
        }
        else if (span.Length > 0 && span[^1] is 's' or 'm' or 'h')
        {
            unit = span[^1] switch { 's' => 1000, 'm' => 60_000, _ => 3_600_000 };
            span = span[..^1];
        }

        if (span.Length is 0 or > 9 || !long.TryParse(span, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n * unit > 86_400_000)
        {
            return false;
        }

        milliseconds = (int)(n * unit);
        return true;
    }

    /// <summary>The entries of a comma-separated list, trimmed, empty entries dropped.</summary>
    public static string[] SplitList(string text) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>An address or CIDR block (<c>10.0.0.0/8</c>, <c>192.168.1.7</c>, <c>2001:db8::/32</c>); a bare address is a /32 or /128.</summary>
    public static bool TryParseCidr(string text, out IPNetwork network)
    {
        network = default;
        var span = text.AsSpan().Trim();
        if (span.Length is 0 or > 64)
        {
            return false;
        }

        if (span.Contains('/'))
        {
            // IPNetwork.TryParse refuses host bits below the prefix; nginx's allow/deny accept them (and mask them), so
            // parse the address and the length and mask ourselves.
            var slash = span.IndexOf('/');
            if (!IPAddress.TryParse(span[..slash], out var address) ||
                !int.TryParse(span[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var length) ||
                length > (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128) ||
                span[..slash].Contains('%'))
            {
                return false;
            }

            network = new IPNetwork(Mask(address, length), length);
            return true;
        }

        if (!IPAddress.TryParse(span, out var single) || span.Contains('%'))
        {
            return false;
        }

        network = new IPNetwork(single, single.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
        return true;
    }

    /// <summary>
    /// Whether a value holds characters that belong in no annotation value: control characters (newlines, tabs,
    /// NUL...) or, when <paramref name="nginxSyntax"/>, the characters that end or open nginx directives and strings
    /// (<c>; { } ' " `</c> and backslash). ingress-nginx's validators refuse these; alb never lets them reach a policy.
    /// </summary>
    public static bool HasForbiddenCharacters(string value, bool nginxSyntax = true)
    {
        foreach (var c in value)
        {
            if (char.IsControl(c) || (nginxSyntax && c is ';' or '{' or '}' or '\'' or '"' or '`' or '\\'))
            {
                return true;
            }
        }

        return false;
    }

    private static IPAddress Mask(IPAddress address, int length)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(length - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        return new IPAddress(bytes);
    }
}
