using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using Alb.Cli;

namespace Alb.Sources;

/// <summary>
/// The one thread configuration rebuilds run on, whatever their source, together with the other work that reads every
/// Ingress (the Secret and ConfigMap scope scan, the leader's status planning). A rebuild is CPU-bound for tens of
/// milliseconds at 10,000 Ingresses; on the thread pool it held one of the workers the request path is dispatched to.
/// <c>ALB_REBUILD_NICE=N</c> (1-19) also lowers this thread's scheduling priority from the second rebuild on; 0, the
/// default, keeps the process's. Measured at 10,000 Ingresses on one CPU (docs/performance.md): nice 10 gave the same
/// p99 for an untouched host during changes (5.9-6.3 ms against 6.4-7.1 ms) but stretched GC pauses, which run on
/// the thread that allocates, from at most 7.6 ms to 13-28 ms, since the JIT's thread kept the CPU meanwhile; so it
/// is a knob, not a default. Linux gives each thread its own nice value; elsewhere the setting does nothing.
/// The thread also takes the long scheduler slice of <c>ALB_BACKGROUND_SLICE_US</c> for itself, first thing
/// (<see cref="Alb.Cli.ThreadSlices"/>), so that a request woken while a rebuild runs preempts it.
/// </summary>
internal sealed partial class RebuildThread : IDisposable
{
    public const string NiceVariable = "ALB_REBUILD_NICE";
    public const int DefaultNice = 0;

    private readonly BlockingCollection<Action> _work = new();
    private readonly Thread _thread;
    private readonly int _nice;
    private readonly ulong _sliceNs;
    private readonly ILogger<RebuildThread> _logger;
    private bool _lowered;

    /// <param name="nice">ALB_REBUILD_NICE.</param>
    /// <param name="sliceMicroseconds">ALB_BACKGROUND_SLICE_US (0: the kernel's default slice).</param>
    /// <param name="logger">Where a refused nice value is reported.</param>
    public RebuildThread(int nice, int sliceMicroseconds, ILogger<RebuildThread> logger)
    {
        _nice = nice;
        _sliceNs = (ulong)sliceMicroseconds * 1000;
        _logger = logger;
        _thread = new Thread(Loop) { IsBackground = true, Name = "alb rebuild" };
        _thread.Start();
    }

    /// <summary><c>ALB_REBUILD_NICE</c>: 0 (unset) to 19; throws <see cref="CommandLineException"/> naming it otherwise.</summary>
    public static int NiceFrom(Func<string, string?> environment) => environment(NiceVariable) switch
    {
        null or "" => DefaultNice,
        var text when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= 19 => n,
        var other => throw new CommandLineException($"{NiceVariable}={other}: must be a whole number from 0 (the process's priority, the default) to 19"),
    };

    /// <summary>
    /// Runs <paramref name="work"/> on this thread, after the work handed in before it. With <paramref name="lower"/>
    /// the thread takes its lower priority first and keeps it from then on (an unprivileged thread cannot raise its
    /// priority again).
    /// </summary>
    public Task<T> RunAsync<T>(Func<T> work, bool lower)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            if (lower)
            {
                Lower();
            }

            try
            {
                done.SetResult(work());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        return done.Task;
    }

    /// <summary>The scheduler slice (ns) this thread runs with, read from the kernel (Linux; null elsewhere or on error).</summary>
    public Task<ulong?> ReadSliceAsync() => RunAsync(() => Alb.Cli.ThreadSlices.ReadSlice(0), lower: false);

    /// <summary>The nice value this thread runs at, read from the kernel (Linux; null elsewhere or on error).</summary>
    public Task<int?> ReadNiceAsync() =>
        RunAsync(ThreadSlices.ReadOwnNice, lower: false);

    public void Dispose()
    {
        _work.CompleteAdding();
        _thread.Join();
        _work.Dispose();
    }

    private void Loop()
    {
        if (_sliceNs > 0 && OperatingSystem.IsLinux())
        {
            Alb.Cli.ThreadSlices.WriteSlice(0, _sliceNs); // tid 0: this thread; an older kernel ignores it; ThreadSlices logs that once
        }

        foreach (var item in _work.GetConsumingEnumerable())
        {
            item();
        }
    }

    private void Lower()
    {
        if (_lowered || _nice == 0 || !OperatingSystem.IsLinux())
        {
            return;
        }

        _lowered = true; // once, whether or not the kernel agrees
        // PRIO_PROCESS with who = 0 is the calling thread on Linux; raising the value needs no privilege. The value is
        // absolute: a process started under `nice -n 5` gets 10 here, not 15.
        if (!ThreadSlices.SetOwnNice(_nice))
        {
            LogNiceFailed(_logger, _nice, Marshal.GetLastPInvokeError());
        }
    }

    [LoggerMessage(EventId = 330, Level = LogLevel.Warning, Message = "Could not set the rebuild thread's nice value to {Nice} (errno {Errno}); rebuilds run at the priority they have")]
    private static partial void LogNiceFailed(ILogger logger, int nice, int errno);
}
