using System.Globalization;

namespace VipDaemon.Core.Admin;

/// <summary>
/// Which exposition format a scrape asks for, as prometheus-net's ASP.NET middleware decided it: the Accept header's
/// media types by quality (highest first, ties in order); the first that is <c>text/plain</c> or
/// <c>application/openmetrics-text</c> wins; none of them (or no header) means the Prometheus text format.
/// </summary>
public static class MetricsFormat
{
    public static bool PrefersOpenMetrics(string? accept)
    {
        if (string.IsNullOrEmpty(accept))
        {
            return false;
        }

        var candidates = new List<(string MediaType, double Quality)>();
        foreach (var part in accept.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = part.Split(';', StringSplitOptions.TrimEntries);
            var quality = 1.0;
            var valid = fields[0].Contains('/', StringComparison.Ordinal);
            foreach (var parameter in fields.AsSpan(1))
            {
                if (parameter.StartsWith("q=", StringComparison.OrdinalIgnoreCase))
                {
                    valid &= double.TryParse(parameter.AsSpan(2), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out quality)
                        && quality is >= 0 and <= 1;
                }
            }

            if (valid)
            {
                candidates.Add((fields[0], quality));
            }
        }

        foreach (var (mediaType, _) in candidates.OrderByDescending(c => c.Quality))
        {
            if (mediaType.Equals("text/plain", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            if (mediaType.Equals("application/openmetrics-text", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
