using System.Globalization;
using System.Net;
using Alb.Cli;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;

namespace Alb.Tests.Cli;

/// <summary>
/// ALB_REQUEST_SLICE_US: the thread pool's workers and the socket engine's threads get a short scheduler slice (Linux
/// 6.12+), other threads that inherited it go back to the default, and a bad value stops alb naming the variable.
/// </summary>
public sealed class RequestThreadSlicesTests
{
    [Theory]
    [InlineData(null, 100)]
    [InlineData("", 100)]
    [InlineData("0", 0)]
    [InlineData("100", 100)]
    [InlineData("250", 250)]
    [InlineData("100000", 100_000)]
    public void Reads_the_slice_from_the_environment(string? value, int expected) =>
        Assert.Equal(expected, RequestThreadSlices.MicrosecondsFrom(name => name == RequestThreadSlices.Variable ? value : null));

    [Theory]
    [InlineData("99")]
    [InlineData("1")]
    [InlineData("100001")]
    [InlineData("-100")]
    [InlineData("1e3")]
    [InlineData(" 100")]
    [InlineData("short")]
    public void Refuses_a_bad_value_naming_the_variable(string value)
    {
        var error = Assert.Throws<CommandLineException>(() => RequestThreadSlices.MicrosecondsFrom(name => name == RequestThreadSlices.Variable ? value : null));
        Assert.Equal($"ALB_REQUEST_SLICE_US={value}: must be 0 (the kernel's default slice) or a whole number of microseconds from 100 to 100000", error.Message);
    }

    [Theory]
    [InlineData(".NET TP Worker", true)]
    [InlineData(".NET Sockets", true)]
    [InlineData(".NET Tiered Com", false)]
    [InlineData("alb rebuild", false)]
    [InlineData(".NET TP Gate", false)]
    public void Knows_the_request_threads_by_name(string name, bool expected) =>
        Assert.Equal(expected, RequestThreadSlices.IsRequestThread(name));

    [Fact]
    public void A_scan_shortens_request_threads_restores_inherited_slices_and_leaves_other_custom_slices()
    {
        const ulong slice = 250_000;
        using var threads = new ParkedThreads();
        var probe = threads.Start("slice probe");
        var defaultSlice = RequestThreadSlices.ReadSlice(probe);
        Assert.NotNull(defaultSlice);
        if (!RequestThreadSlices.WriteSlice(probe, 300_000) || RequestThreadSlices.ReadSlice(probe) != 300_000)
        {
            // A kernel before 6.12 takes the call and keeps its own slice: the scan must say so, and alb then logs it.
            Assert.False(RequestThreadSlices.Scan(slice).Supported);
            return;
        }

        var worker = threads.Start(".NET TP Worker");
        var sockets = threads.Start(".NET Sockets");
        // The JIT's thread started by a request thread: the kernel copies the creator's slice to it.
        var inherited = threads.Start("alb rebuild", parentSlice: slice);
        Assert.Equal(slice, RequestThreadSlices.ReadSlice(inherited));
        var someoneElses = threads.Start("other");
        Assert.True(RequestThreadSlices.WriteSlice(someoneElses, 700_000));

        var result = RequestThreadSlices.Scan(slice);

        Assert.True(result.Supported);
        Assert.True(result.Shortened >= 2, $"shortened {result.Shortened}");
        Assert.True(result.Restored >= 1, $"restored {result.Restored}");
        Assert.Equal(slice, RequestThreadSlices.ReadSlice(worker));
        Assert.Equal(slice, RequestThreadSlices.ReadSlice(sockets));
        Assert.Equal(defaultSlice, RequestThreadSlices.ReadSlice(inherited));
        Assert.Equal(700_000UL, RequestThreadSlices.ReadSlice(someoneElses));
        Assert.Equal(300_000UL, RequestThreadSlices.ReadSlice(probe));

        var again = RequestThreadSlices.Scan(slice); // nothing left to change for these threads
        Assert.Equal(slice, RequestThreadSlices.ReadSlice(worker));
        Assert.Equal(defaultSlice, RequestThreadSlices.ReadSlice(inherited));
        Assert.True(again.Supported);
    }

    [Fact]
    public async Task Alb_gives_its_request_threads_the_slice_and_refuses_a_bad_setting()
    {
        await using var origin = await TestOrigin.StartAsync("o");
        ManifestDir Manifests() // each alb instance deletes its directory when disposed
        {
            var dir = new ManifestDir();
            dir.Write("a.yaml", ManifestDir.Backend("o", [origin.Port]) + ManifestDir.Ingress("a", "a.example.com", "/", "o"));
            return dir;
        }

        await using (var alb = await AlbInstance.StartAsync(Manifests(), new Dictionary<string, string> { [RequestThreadSlices.Variable] = "400" }))
        {
            await ServeOneAsync(alb);
            if (!KernelTakesCustomSlices())
            {
                await alb.WaitUntilAsync(() => Task.FromResult(alb.Process.Output().Contains("keep the kernel's default scheduler slice", StringComparison.Ordinal)),
                    TimeSpan.FromSeconds(10), "alb saying the kernel keeps its slice");
                return;
            }

            await alb.WaitUntilAsync(() => Task.FromResult(Threads(alb).Where(t => RequestThreadSlices.IsRequestThread(t.Name)).All(t => t.Slice == 400_000)),
                TimeSpan.FromSeconds(10), "every request thread at 400 µs");
            var threads = Threads(alb);
            Assert.Contains(threads, t => t.Name == ".NET Sockets");
            Assert.Contains(threads, t => t.Name == ".NET TP Worker");
            Assert.All(threads.Where(t => !RequestThreadSlices.IsRequestThread(t.Name)), t => Assert.True(t.Slice != 400_000, $"{t.Name} at 400 µs"));
        }

        await using (var alb = await AlbInstance.StartAsync(Manifests(), new Dictionary<string, string> { [RequestThreadSlices.Variable] = "0" }))
        {
            await ServeOneAsync(alb);
            await Task.Delay(RequestThreadSlices.Interval + TimeSpan.FromMilliseconds(500));
            var slices = Threads(alb).Select(t => t.Slice).Distinct().ToList();
            Assert.True(slices.Count == 1, $"with 0 every thread keeps the kernel's default, found {string.Join(", ", slices)}");
        }

        using var dir = Manifests();
        var (file, args) = AlbInstance.Command("serve", "--manifests", dir.Path,
            "--http", $"127.0.0.1:{FreePort.Next()}", "--https", $"127.0.0.1:{FreePort.Next()}", "--admin", $"127.0.0.1:{FreePort.Next()}");
        await using var refused = TestProcess.Start(file, args, environment: new Dictionary<string, string> { [RequestThreadSlices.Variable] = "50" });
        Assert.NotEqual(0, await refused.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("ALB_REQUEST_SLICE_US=50: must be 0 (the kernel's default slice) or a whole number of microseconds from 100 to 100000", refused.Output(), StringComparison.Ordinal);
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
            .Select(task => (Name: ReadOrNull(Path.Combine(task, "comm")), Slice: RequestThreadSlices.ReadSlice(int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture))))
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
        return RequestThreadSlices.WriteSlice(probe, 300_000) && RequestThreadSlices.ReadSlice(probe) == 300_000;
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
                    Assert.True(RequestThreadSlices.WriteSlice(ThisThreadId(), slice));
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
