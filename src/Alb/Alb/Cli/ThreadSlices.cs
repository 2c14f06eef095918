using System.Globalization;
using System.Runtime.InteropServices;

namespace Alb.Cli;

/// <summary>
/// Linux 6.12 and later: a long scheduler slice for alb's CPU-bound background threads (the rebuild thread, the JIT's
/// tiering thread, the background GC's thread), so that a request thread woken while one of them holds the CPU runs at
/// once instead of at the next scheduler tick (4 ms at HZ=250). The kernel's EEVDF scheduler lets a waking thread
/// whose slice is shorter than the running thread's preempt it (sched_attr.sched_runtime for SCHED_OTHER,
/// Documentation/scheduler/sched-eevdf.rst); the share of CPU each thread gets does not change, and the request
/// threads keep the kernel's default slice, so nothing changes between them under load. Measured at 10,000
/// Ingresses on one CPU: the p99 of requests to an untouched host during changes fell from 7.0-7.8 ms to 5.7-7.0 ms
/// (docs/performance.md#alb-against-a-cluster). A 100 µs slice for the request threads instead did better there
/// (5.0 ms) but makes request threads switch among themselves under saturation: h2-tls served 4 % and 9 % fewer
/// requests per second in two load runs, one with each order of the targets.
/// <para>
/// A new thread inherits its creator's slice, so a thread-pool worker the rebuild thread starts would carry the long
/// slice: every scan gives the runtime's background threads the long slice and puts any other thread carrying it back
/// to the kernel's default. Threads are found by the names the runtime gives them (<c>/proc/self/task/*/comm</c>),
/// once at start and then every <see cref="Interval"/> (the JIT's thread comes and goes). The rebuild thread sets its
/// own slice (<see cref="WriteSlice"/> with tid 0) and the scan leaves it alone: sched_setattr writes the nice value too, and that
/// thread lowers its own nice with <c>ALB_REBUILD_NICE</c>, so a scan could otherwise write back the value it read
/// just before.
/// <c>ALB_BACKGROUND_SLICE_US=N</c> sets the slice (5,000 to 100,000 µs; 10,000 by default); 0 leaves every thread at
/// the kernel's default. On an older kernel, another operating system, or where the call is refused (a seccomp
/// profile), alb logs that once and serves as before.
/// </para>
/// </summary>
internal sealed partial class ThreadSlices : BackgroundService
{
    public const string Variable = "ALB_BACKGROUND_SLICE_US";
    public const int DefaultMicroseconds = 10_000;
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private const uint SchedOther = 0;
    private const int AttrSize = 56;
    private static readonly string[] BackgroundThreadNames = [".NET Tiered Com", ".NET BGC"];
    private const string SelfManaged = "alb rebuild";

    private readonly ulong _sliceNs;
    private readonly TimeProvider _time;
    private readonly ILogger<ThreadSlices> _logger;

    public ThreadSlices(int microseconds, TimeProvider time, ILogger<ThreadSlices> logger)
    {
        _sliceNs = (ulong)microseconds * 1000;
        _time = time;
        _logger = logger;
    }

    /// <summary>What a scan did: threads given the long slice, threads put back to the default, and whether the kernel took it.</summary>
    internal readonly record struct ScanResult(int Lengthened, int Restored, bool Supported);

    /// <summary><c>ALB_BACKGROUND_SLICE_US</c>: 0 or 5,000-100,000 (10,000 when unset); throws <see cref="CommandLineException"/> naming it otherwise.</summary>
    public static int MicrosecondsFrom(Func<string, string?> environment) => environment(Variable) switch
    {
        null or "" => DefaultMicroseconds,
        var text when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && (n == 0 || n is >= 5_000 and <= 100_000) => n,
        var other => throw new CommandLineException($"{Variable}={other}: must be 0 (the kernel's default slice) or a whole number of microseconds from 5000 to 100000"),
    };

    /// <summary>The runtime's background threads this class sets; the rebuild thread sets its own slice.</summary>
    internal static bool IsBackgroundThread(string name) => Array.IndexOf(BackgroundThreadNames, name) >= 0;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_sliceNs == 0 || !OperatingSystem.IsLinux() || Syscalls() is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval, _time);
        try
        {
            do
            {
                var result = Scan(_sliceNs);
                if (!result.Supported)
                {
                    LogUnsupported(_logger, _sliceNs / 1000);
                    return;
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping; also when the host never started (a port in use), where the host would log the cancellation as a crash.
        }
    }

    /// <summary>
    /// One pass over this process's threads: background threads get <paramref name="sliceNs"/>; any other thread that
    /// carries exactly that slice (inherited from the thread that started it) goes back to the kernel's default.
    /// Threads with another scheduling policy, and the rebuild thread, are left alone.
    /// </summary>
    internal static ScanResult Scan(ulong sliceNs)
    {
        if (Syscalls() is not { } calls)
        {
            return new ScanResult(0, 0, Supported: false);
        }

        int lengthened = 0, restored = 0;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            if (!int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out var tid) ||
                ReadName(task) is not { } name || name == SelfManaged || !TryGet(calls, tid, out var attr) || attr.Policy != SchedOther)
            {
                continue; // gone meanwhile, or not ours to change
            }

            var wanted = IsBackgroundThread(name) ? sliceNs : attr.Runtime == sliceNs ? 0 : attr.Runtime;
            if (wanted == attr.Runtime)
            {
                continue;
            }

            if (!TrySet(calls, tid, attr, wanted, out var gone))
            {
                if (gone)
                {
                    continue;
                }

                return new ScanResult(lengthened, restored, Supported: false);
            }

            if (wanted != 0)
            {
                lengthened++;
            }
            else
            {
                restored++;
            }
        }

        return new ScanResult(lengthened, restored, Supported: true);
    }

    /// <summary>The slice (ns) the kernel reports for thread <paramref name="tid"/> of this process; null if it cannot be read.</summary>
    internal static ulong? ReadSlice(int tid) => Syscalls() is { } calls && TryGet(calls, tid, out var attr) ? attr.Runtime : null;

    /// <summary>
    /// Sets thread <paramref name="tid"/>'s slice (0: the default; tid 0: the calling thread, which is how the rebuild
    /// thread sets its own, safe against its own nice changes); false if the kernel refused or ignored it.
    /// </summary>
    internal static bool WriteSlice(int tid, ulong sliceNs) =>
        Syscalls() is { } calls && TryGet(calls, tid, out var attr) && attr.Policy == SchedOther && TrySet(calls, tid, attr, sliceNs, out _);

    /// <summary>
    /// Writes <paramref name="attr"/> back with <paramref name="sliceNs"/> (the nice value in it as read) and checks a
    /// non-zero slice took: a kernel before 6.12 takes the call and ignores sched_runtime for SCHED_OTHER.
    /// </summary>
    private static bool TrySet((long Set, long Get) calls, int tid, SchedAttr attr, ulong sliceNs, out bool gone)
    {
        attr.Runtime = sliceNs;
        gone = false;
        if (SchedSetAttr(calls.Set, tid, ref attr, 0) != 0)
        {
            gone = Marshal.GetLastPInvokeError() == Esrch; // the thread ended
            return false;
        }

        return sliceNs == 0 || (TryGet(calls, tid, out var after) && after.Runtime == sliceNs);
    }

    private static string? ReadName(string task)
    {
        try
        {
            return File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n');
        }
        catch (IOException)
        {
            return null; // the thread ended between the listing and the read
        }
    }

    private static bool TryGet((long Set, long Get) calls, int tid, out SchedAttr attr)
    {
        attr = default;
        return SchedGetAttr(calls.Get, tid, ref attr, AttrSize, 0) == 0;
    }

    /// <summary>sched_setattr and sched_getattr's numbers: the generic table (arm64) differs from x86-64's.</summary>
    private static (long Set, long Get)? Syscalls() => !OperatingSystem.IsLinux() ? null : RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => (314, 315),
        Architecture.Arm64 => (274, 275),
        _ => null,
    };

    private const int Esrch = 3;

    /// <summary>struct sched_attr as of Linux 4.13 (SCHED_ATTR_SIZE_VER1, 56 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct SchedAttr
    {
        public uint Size;
        public uint Policy;
        public ulong Flags;
        public int Nice;
        public uint Priority;
        public ulong Runtime;
        public ulong Deadline;
        public ulong Period;
        public uint UtilMin;
        public uint UtilMax;
    }

    // syscall(2) is variadic: every argument goes as a full register, so each is passed as a long.
    private static int SchedSetAttr(long number, int tid, ref SchedAttr attr, uint flags)
    {
        attr.Size = AttrSize;
        return (int)SetAttr(number, tid, ref attr, flags);
    }

    private static int SchedGetAttr(long number, int tid, ref SchedAttr attr, uint size, uint flags) => (int)GetAttr(number, tid, ref attr, size, flags);

    /// <summary>Sets the calling thread's nice value (Linux: PRIO_PROCESS with who = 0, this thread only); false elsewhere or when refused.</summary>
    internal static bool SetOwnNice(int nice) => OperatingSystem.IsLinux() && SetPriority(0, 0, nice) == 0;

    /// <summary>The calling thread's nice value (Linux; null elsewhere or on error).</summary>
    internal static int? ReadOwnNice() => OperatingSystem.IsLinux() && GetPriority(0, 0) is var n && Marshal.GetLastPInvokeError() == 0 ? n : null;

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int prio);

    [LibraryImport("libc", EntryPoint = "getpriority", SetLastError = true)]
    private static partial int GetPriority(int which, int who);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long SetAttr(long number, long tid, ref SchedAttr attr, long flags);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long GetAttr(long number, long tid, ref SchedAttr attr, long size, long flags);

    [LoggerMessage(EventId = 331, Level = LogLevel.Information, Message = "Background threads keep the kernel's default scheduler slice: this kernel does not take a custom slice of {Microseconds} µs (Linux 6.12 or later does), or the call was refused")]
    private static partial void LogUnsupported(ILogger logger, ulong microseconds);
}
