/// <summary>Percentiles and the target verdicts the cluster benchmark prints.</summary>
internal static class Stats
{
    public static string Describe(List<double> latencies) =>
        $"{latencies.Count} requests, p50 {Percentile(latencies, 0.5):F1} / p99 {Percentile(latencies, 0.99):F1} / max {latencies.Max():F1} ms";

    public static string Met(bool met) => met ? "met" : "NOT MET";

    public static double Percentile(List<double> values, double p) => values.Order().ElementAt((int)Math.Min(values.Count - 1, Math.Floor(values.Count * p)));

    public static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
