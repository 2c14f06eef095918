using System.Diagnostics;
using System.Globalization;

/// <summary>What the cluster benchmark reads from alb: its /metrics, /proc, and a helper to run a command.</summary>
internal static class Readings
{
    // The GC's pause total (s), collection counts (gen0 counts every collection) and bytes allocated, from alb's /metrics.
    // With the seconds spent in each rebuild stage and the number of rebuilds (alb_rebuild_duration_seconds).
    public static async Task<(double Pause, double Gen0, double Gen1, double Gen2, double Allocated, double Read, double Translate, double Publish, double Rebuilds)> GcAsync(HttpClient admin)
    {
        var metrics = (await admin.GetStringAsync("/metrics")).Split('\n');
        double Sample(string prefix) => metrics.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) is { } line
            ? double.Parse(line[prefix.Length..], CultureInfo.InvariantCulture) : 0;
        return (Sample("dotnet_gc_pause_seconds_total "), Sample("dotnet_collection_count_total{generation=\"0\"} "),
            Sample("dotnet_collection_count_total{generation=\"1\"} "), Sample("dotnet_collection_count_total{generation=\"2\"} "),
            Sample("dotnet_gc_allocated_bytes_total "), Sample("alb_rebuild_duration_seconds_sum{stage=\"read\"} "),
            Sample("alb_rebuild_duration_seconds_sum{stage=\"translate\"} "), Sample("alb_rebuild_duration_seconds_sum{stage=\"publish\"} "),
            Sample("alb_rebuild_duration_seconds_count{stage=\"read\"} "));
    }

    // dotnet_total_memory_bytes: the managed heap's live and not yet collected objects.
    public static async Task<double> HeapAsync(HttpClient admin)
    {
        var metrics = await admin.GetStringAsync("/metrics");
        var line = metrics.Split('\n').First(l => l.StartsWith("dotnet_total_memory_bytes ", StringComparison.Ordinal));
        return double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture) / 1024 / 1024;
    }

    // CPU per thread name between two readings of ThreadCpu (threads started meanwhile count from zero), largest first.
    public static List<(string Name, double Ms)> ByThread(Dictionary<int, (string Name, double Ms)> before, Dictionary<int, (string Name, double Ms)> after) =>
        [.. after.Select(t => (t.Value.Name, Ms: t.Value.Ms - (before.TryGetValue(t.Key, out var b) ? b.Ms : 0)))
            .GroupBy(t => t.Name).Select(g => (Name: g.Key, Ms: g.Sum(t => t.Ms))).Where(t => t.Ms > 0).OrderByDescending(t => t.Ms)];

    // Waits until the threads named `name` have used no CPU for `idle` (or `limit` passed); returns how long it waited.
    public static async Task<TimeSpan> UntilIdleAsync(int pid, string name, TimeSpan idle, TimeSpan limit)
    {
        var waited = Stopwatch.StartNew();
        double Used() => ThreadCpu(pid).Values.Where(t => t.Name == name).Sum(t => t.Ms);
        var last = Used();
        var still = Stopwatch.StartNew();
        while (still.Elapsed < idle && waited.Elapsed < limit)
        {
            await Task.Delay(100);
            var now = Used();
            if (now != last)
            {
                last = now;
                still.Restart();
            }
        }

        return waited.Elapsed;
    }

    // Each thread's name and CPU time (ms) from /proc; threads that exit in between are missed.
    public static Dictionary<int, (string Name, double Ms)> ThreadCpu(int pid)
    {
        var threads = new Dictionary<int, (string, double)>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var ticks = double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture);
                threads[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] = (File.ReadAllText(Path.Combine(task, "comm")).Trim(), ticks * 10);
            }
            catch (IOException)
            {
            }
        }

        return threads;
    }

    public static void Run(string file, string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)}: exit {process.ExitCode}: {error}");
        }
    }

    public static double Rss(int pid) =>
        File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024).Single();
}
