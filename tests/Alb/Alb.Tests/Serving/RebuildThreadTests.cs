using System.Globalization;
using System.Net;
using Alb.Cli;
using Alb.Sources;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Alb.Tests.Serving;

/// <summary>
/// Rebuilds run on a thread of their own, in order; with ALB_REBUILD_NICE (0, the process's priority, by default)
/// that thread takes a lower priority from the second rebuild on.
/// </summary>
public sealed class RebuildThreadTests
{
    [Fact]
    public async Task Runs_work_in_order_on_its_own_thread_and_passes_on_failures()
    {
        using var rebuilds = new RebuildThread(10, 0, NullLogger<RebuildThread>.Instance);
        var order = new List<int>();
        var first = rebuilds.RunAsync(() => { Thread.Sleep(50); order.Add(1); return Environment.CurrentManagedThreadId; }, lower: false);
        var second = rebuilds.RunAsync(() => { order.Add(2); return Thread.CurrentThread.Name; }, lower: false);
        var failing = rebuilds.RunAsync<int>(() => throw new InvalidOperationException("translation bug"), lower: false);
        Assert.NotEqual(Environment.CurrentManagedThreadId, await first);
        Assert.Equal("alb rebuild", await second);
        Assert.Equal([1, 2], order);
        Assert.Equal("translation bug", (await Assert.ThrowsAsync<InvalidOperationException>(() => failing)).Message);
        Assert.Equal(3, await rebuilds.RunAsync(() => 3, lower: false)); // still running after a failure
    }

    [Fact]
    public async Task Lowers_its_priority_when_asked_and_keeps_it()
    {
        using var rebuilds = new RebuildThread(12, 0, NullLogger<RebuildThread>.Instance);
        var before = await rebuilds.ReadNiceAsync();
        Assert.NotNull(before);
        Assert.True(before <= 12, $"the test runs at nice {before} already");
        await rebuilds.RunAsync(() => 0, lower: true);
        Assert.Equal(12, await rebuilds.ReadNiceAsync());
        await rebuilds.RunAsync(() => 0, lower: false);
        Assert.Equal(12, await rebuilds.ReadNiceAsync());
        Assert.Equal(before, GetNiceOfThisThread()); // only that thread
    }

    [Fact]
    public async Task Nice_zero_leaves_the_priority_alone()
    {
        using var rebuilds = new RebuildThread(0, 0, NullLogger<RebuildThread>.Instance);
        var before = await rebuilds.ReadNiceAsync();
        await rebuilds.RunAsync(() => 0, lower: true);
        Assert.Equal(before, await rebuilds.ReadNiceAsync());
    }

    [Fact]
    public async Task Takes_the_background_slice_for_itself_and_keeps_it_when_it_lowers_its_priority()
    {
        using var rebuilds = new RebuildThread(9, 15_000, NullLogger<RebuildThread>.Instance);
        using var plain = new RebuildThread(0, 0, NullLogger<RebuildThread>.Instance);
        var defaultSlice = await plain.ReadSliceAsync();
        Assert.NotNull(defaultSlice);
        if (defaultSlice == 0)
        {
            // A kernel before 6.12 reports no slice for SCHED_OTHER and ignores one: nothing changes.
            Assert.Equal(0UL, await rebuilds.ReadSliceAsync());
            return;
        }

        Assert.Equal(15_000_000UL, await rebuilds.ReadSliceAsync());
        await rebuilds.RunAsync(() => 0, lower: true);
        Assert.Equal(9, await rebuilds.ReadNiceAsync());
        Assert.Equal(15_000_000UL, await rebuilds.ReadSliceAsync());
        Assert.NotEqual(15_000_000UL, defaultSlice);
    }

    [Theory]
    [InlineData(null, 0)]
    [InlineData("", 0)]
    [InlineData("10", 10)]
    [InlineData("0", 0)]
    [InlineData("19", 19)]
    public void Reads_the_nice_value_from_the_environment(string? value, int expected) =>
        Assert.Equal(expected, RebuildThread.NiceFrom(name => name == RebuildThread.NiceVariable ? value : null));

    [Theory]
    [InlineData("20")]
    [InlineData("-5")]
    [InlineData("ten")]
    [InlineData(" 5")]
    public void Refuses_a_bad_value_naming_the_variable(string value)
    {
        var error = Assert.Throws<CommandLineException>(() => RebuildThread.NiceFrom(name => name == RebuildThread.NiceVariable ? value : null));
        Assert.StartsWith($"ALB_REBUILD_NICE={value}: must be a whole number from 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alb_rebuilds_a_changed_directory_on_a_lowered_thread_and_refuses_a_bad_setting()
    {
        await using var origin = await TestOrigin.StartAsync("o");
        using var dir = new ManifestDir();
        dir.Write("a.yaml", ManifestDir.Backend("o", [origin.Port]) + ManifestDir.Ingress("a", "a.example.com", "/", "o"));
        await using var alb = await AlbInstance.StartAsync(dir, new Dictionary<string, string> { [RebuildThread.NiceVariable] = "7" });
        dir.Write("b.yaml", ManifestDir.Ingress("b", "b.example.com", "/", "o"));
        await alb.WaitUntilAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = "b.example.com" } };
            using var response = await alb.Http.SendAsync(request);
            return response.StatusCode == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(20), "the new Ingress served");

        // /proc/PID/task/TID: comm is the thread's name, field 19 of stat its nice value.
        var niceByThread = Directory.EnumerateDirectories($"/proc/{alb.Process.Id}/task")
            .Select(task => (Name: File.ReadAllText(Path.Combine(task, "comm")).Trim(), Nice: NiceOf(File.ReadAllText(Path.Combine(task, "stat")))))
            .ToList();
        Assert.Equal(7, Assert.Single(niceByThread, t => t.Name == "alb rebuild").Nice);
        Assert.All(niceByThread.Where(t => t.Name != "alb rebuild"), t => Assert.True(t.Nice < 7, $"{t.Name} at nice {t.Nice}"));

        var (file, args) = AlbInstance.Command("serve", "--manifests", dir.Path,
            "--http", $"127.0.0.1:{FreePort.Next()}", "--https", $"127.0.0.1:{FreePort.Next()}", "--admin", $"127.0.0.1:{FreePort.Next()}");
        await using var refused = TestProcess.Start(file, args, environment: new Dictionary<string, string> { [RebuildThread.NiceVariable] = "high" });
        Assert.NotEqual(0, await refused.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("ALB_REBUILD_NICE=high: must be a whole number from 0", refused.Output(), StringComparison.Ordinal);
    }

    /// <summary>The nice value in a /proc stat line (field 19).</summary>
    internal static int NiceOf(string stat) =>
        int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16], CultureInfo.InvariantCulture);

    private static int GetNiceOfThisThread() => NiceOf(File.ReadAllText("/proc/thread-self/stat"));
}
