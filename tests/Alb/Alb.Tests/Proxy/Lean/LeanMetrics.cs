using System.Globalization;

namespace Alb.Tests.Proxy.Lean;

/// <summary>Reading alb_upstream_forward_total from /metrics.</summary>
internal static class LeanMetrics
{
    public static readonly Dictionary<string, string> Environment = new() { ["ALB_LEAN_H1"] = "1" };

    /// <summary>The lean client switched off (it is on by default).</summary>
    public static readonly Dictionary<string, string> Off = new() { ["ALB_LEAN_H1"] = "0" };

    /// <summary>The value of alb_upstream_forward_total{path="<paramref name="path"/>"}, 0 when absent.</summary>
    public static double Forwarded(string metrics, string path)
    {
        var prefix = $"alb_upstream_forward_total{{path=\"{path}\"}} ";
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[prefix.Length..], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Requests forwarded by alb's own HTTP/1.1 code (its response parser and framing): the lean client, or
    /// the front end's loop, which serves the plain routes these tests use.
    /// </summary>
    public static double Own(string metrics) => Forwarded(metrics, "lean") + Forwarded(metrics, "loop");
}
