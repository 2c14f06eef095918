using System.Globalization;
using System.Net;
using Alb.Cli;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;

namespace Alb.Tests.Cli;

/// <summary>
/// ALB_BACKGROUND_SLICE_US: the rebuild thread, the JIT's thread and the background GC's thread get a long scheduler
/// slice (Linux 6.12+), other threads that inherited it go back to the default, and a bad value stops alb naming the variable.
/// </summary>
public sealed class ThreadSlicesTests
{
    [Theory]
    [InlineData(null, 10_000)]
    [InlineData("", 10_000)]
    [InlineData("0", 0)]
    [InlineData("5000", 5_000)]
    [InlineData("20000", 20_000)]
    [InlineData("100000", 100_000)]
    public void Reads_the_slice_from_the_environment(string? value, int expected) =>
        Assert.Equal(expected, ThreadSlices.MicrosecondsFrom(name => name == ThreadSlices.Variable ? value : null));

    [Theory]
    [InlineData("4999")]
    [InlineData("100")]
    [InlineData("100001")]
    [InlineData("-10000")]
    [InlineData("1e4")]
    [InlineData(" 10000")]
    [InlineData("long")]
    public void Refuses_a_bad_value_naming_the_variable(string value)
    {
        var error = Assert.Throws<CommandLineException>(() => ThreadSlices.MicrosecondsFrom(name => name == ThreadSlices.Variable ? value : null));
        Assert.Equal($"ALB_BACKGROUND_SLICE_US={value}: must be 0 (the kernel's default slice) or a whole number of microseconds from 5000 to 100000", error.Message);
    }

    [Theory]
    [InlineData(".NET Tiered Com", true)]
    [InlineData(".NET BGC", true)]
    [InlineData(".NET TP Worker", false)]
    [InlineData(".NET Sockets", false)]
    [InlineData("alb", false)]
    [InlineData("alb rebuild", false)] // sets its own slice
    public void Knows_the_background_threads_by_name(string name, bool expected) =>
        Assert.Equal(expected, ThreadSlices.IsBackgroundThread(name));

    [Fact]
    public void A_scan_lengthens_background_threads_restores_inherited_slices_and_leaves_other_custom_slices()
    {
        const ulong slice = 12_000_000;
        using var threads = new ParkedThreads();
        var probe = threads.Start("slice probe");
        var defaultSlice = ThreadSlices.ReadSlice(probe);
        Assert.NotNull(defaultSlice);
        if (!ThreadSlices.WriteSlice(probe, 300_000) || ThreadSlices.ReadSlice(probe) != 300_000)
        {
            // A kernel before 6.12 takes the call and keeps its own slice: the scan must say so, and alb then logs it.
            Assert.False(ThreadSlices.Scan(slice).Supported);
            return;
        }

        var gc = threads.Start(".NET BGC");
        var jit = threads.Start(".NET Tiered Com");
        var rebuild = threads.Start("alb rebuild", parentSlice: slice); // sets its own slice (here: inherits it), the scan leaves it
        // A thread-pool worker started by the rebuild thread: the kernel copies the creator's slice to it.
        var inherited = threads.Start(".NET TP Worker", parentSlice: slice);
        Assert.Equal(slice, ThreadSlices.ReadSlice(inherited));
        var someoneElses = threads.Start("other");
        Assert.True(ThreadSlices.WriteSlice(someoneElses, 700_000));

        var result = ThreadSlices.Scan(slice);

        Assert.True(result.Supported);
        Assert.True(result.Lengthened >= 2, $"lengthened {result.Lengthened}");
        Assert.True(result.Restored >= 1, $"restored {result.Restored}");
        Assert.Equal(slice, ThreadSlices.ReadSlice(gc));
        Assert.Equal(slice, ThreadSlices.ReadSlice(jit));
        Assert.Equal(slice, ThreadSlices.ReadSlice(rebuild));
        Assert.Equal(defaultSlice, ThreadSlices.ReadSlice(inherited));
        Assert.Equal(700_000UL, ThreadSlices.ReadSlice(someoneElses));
        Assert.Equal(300_000UL, ThreadSlices.ReadSlice(probe));

        var again = ThreadSlices.Scan(slice); // nothing left to change for these threads
        Assert.Equal(slice, ThreadSlices.ReadSlice(jit));
        Assert.Equal(defaultSlice, ThreadSlices.ReadSlice(inherited));
        Assert.True(again.Supported);
        Assert.Equal(0, again.Restored);
    }

    [Fact]
    public async Task Alb_gives_its_background_threads_the_slice_and_refuses_a_bad_setting()
    {
        await using var origin = await TestOrigin.StartAsync("o");
        ManifestDir Manifests() // each alb instance deletes its directory when disposed
        {
            var dir = new ManifestDir();
            dir.Write("a.yaml", ManifestDir.Backend("o", [origin.Port]) + ManifestDir.Ingress("a", "a.example.com", "/", "o"));
            return dir;
        }

        await using (var alb = await AlbInstance.StartAsync(Manifests(), new Dictionary<string, string> { [ThreadSlices.Variable] = "40000" }))
        {
            await ServeOneAsync(alb);
            if (!KernelTakesCustomSlices())
            {
                await alb.WaitUntilAsync(() => Task.FromResult(alb.Process.Output().Contains("Background threads keep the kernel's default scheduler slice", StringComparison.Ordinal)),
                    TimeSpan.FromSeconds(10), "alb saying the kernel keeps its slice");
                return;
            }

            static bool Background(string name) => ThreadSlices.IsBackgroundThread(name) || name == "alb rebuild";
            await alb.WaitUntilAsync(() => Task.FromResult(Threads(alb).Where(t => Background(t.Name)).All(t => t.Slice == 40_000_000)),
                TimeSpan.FromSeconds(10), "every background thread at 40 ms");
            var threads = Threads(alb);
            Assert.Contains(threads, t => t.Name == "alb rebuild");
            Assert.Contains(threads, t => t.Name == ".NET TP Worker");
            Assert.All(threads.Where(t => !Background(t.Name)), t => Assert.True(t.Slice != 40_000_000, $"{t.Name} at 40 ms"));
        }

        await using (var alb = await AlbInstance.StartAsync(Manifests(), new Dictionary<string, string> { [ThreadSlices.Variable] = "0" }))
        {
            await ServeOneAsync(alb);
            await Task.Delay(ThreadSlices.Interval + TimeSpan.FromMilliseconds(500));
            var slices = Threads(alb).Select(t => t.Slice).Distinct().ToList();
            Assert.True(slices.Count == 1, $"with 0 every thread keeps the kernel's default, found {string.Join(", ", slices)}");
        }

        using var dir = Manifests();
        var (file, args) = AlbInstance.Command("serve", "--manifests", dir.Path,
            "--http", $"127.0.0.1:{FreePort.Next()}", "--https", $"127.0.0.1:{FreePort.Next()}", "--admin", $"127.0.0.1:{FreePort.Next()}");
        await using var refused = TestProcess.Start(file, args, environment: new Dictionary<string, string> { [ThreadSlices.Variable] = "500" });
        Assert.NotEqual(0, await refused.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("ALB_BACKGROUND_SLICE_US=500: must be 0 (the kernel's default slice) or a whole number of microseconds from 5000 to 100000", refused.Output(), StringComparison.Ordinal);
    }

    private static async Task ServeOneAsync(AlbInstance alb)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = "a.example.com" } };
        using var response = await alb.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Each thread of alb's process: its name and the slice the kernel reports for it (threads that ended meanwhile left out).</summary>
    private static List<(string Name, ulong Slice)> Threads(AlbInstance alb) =>
        [.. Directory.EnumerateDirectories($"/proc/{alb.Process.Id}/task")
            .Select(task => (Name: ReadOrNull(Path.Combine(task, "comm")), Slice: ThreadSlices.ReadSlice(int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture))))
            .Where(t => t.Name is not null && t.Slice is not null)
            .Select(t => (t.Name!, t.Slice!.Value))];

    private static string? ReadOrNull(string path)
    {
        try
        {
            return File.ReadAllText(path).TrimEnd('\n');
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static bool KernelTakesCustomSlices()
    {
        using var threads = new ParkedThreads();
        var probe = threads.Start("slice probe");
        return ThreadSlices.WriteSlice(probe, 300_000) && ThreadSlices.ReadSlice(probe) == 300_000;
    }

    /// <summary>Named threads that wait until disposed; <see cref="Start"/> returns each one's kernel thread id.</summary>
    private sealed class ParkedThreads : IDisposable
    {
        private readonly ManualResetEventSlim _release = new();
        private readonly List<Thread> _threads = [];

        /// <summary>With <paramref name="parentSlice"/>, the thread is started by a thread that has that slice, and inherits it.</summary>
        public int Start(string name, ulong? parentSlice = null)
        {
            var tid = 0;
            using var started = new ManualResetEventSlim();
            void Park()
            {
                tid = ThisThreadId();
                started.Set();
                _release.Wait();
            }

            Thread Create() => new(Park) { Name = name, IsBackground = true };
            if (parentSlice is { } slice)
            {
                var parent = new Thread(() =>
                {
                    Assert.True(ThreadSlices.WriteSlice(ThisThreadId(), slice));
                    var child = Create();
                    child.Start();
                    lock (_threads)
                    {
                        _threads.Add(child);
                    }
                });
                parent.Start();
                parent.Join();
            }
            else
            {
                var thread = Create();
                thread.Start();
                lock (_threads)
                {
                    _threads.Add(thread);
                }
            }

            Assert.True(started.Wait(TimeSpan.FromSeconds(10)), $"thread {name} started");
            return tid;
        }

        public void Dispose()
        {
            _release.Set();
            foreach (var thread in _threads)
            {
                thread.Join();
            }

            _release.Dispose();
        }

        /// <summary>/proc/thread-self links to PID/task/TID.</summary>
        private static int ThisThreadId() =>
            int.Parse(Path.GetFileName(new FileInfo("/proc/thread-self").LinkTarget!), CultureInfo.InvariantCulture);
    }
}
