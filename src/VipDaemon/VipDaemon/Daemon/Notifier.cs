using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using VipDaemon.Core.Config;

namespace VipDaemon.Daemon;

/// <summary>
/// Runs notify hooks one at a time, in the order of the transitions (keepalived runs them concurrently and they can
/// finish out of order), each with a timeout, on its own task: the protocol loop only enqueues.
/// Arguments as keepalived's generic notify: <c>INSTANCE NAME STATE PRIORITY</c>.
/// </summary>
internal sealed partial class Notifier : IAsyncDisposable
{
    private readonly Channel<(NotifySettings Hook, string Instance, string State, byte Priority)> _queue =
        Channel.CreateBounded<(NotifySettings, string, string, byte)>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private readonly VipdMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Task _worker;

    public Notifier(VipdMetrics metrics, ILogger logger)
    {
        _metrics = metrics;
        _logger = logger;
        _worker = Task.Run(RunAsync);
    }

    public void Enqueue(NotifySettings hook, string instance, string state, byte priority) => _queue.Writer.TryWrite((hook, instance, state, priority));

    private async Task RunAsync()
    {
        await foreach (var (hook, instance, state, priority) in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                var info = new ProcessStartInfo(hook.Command) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
                info.ArgumentList.Add("INSTANCE");
                info.ArgumentList.Add(instance);
                info.ArgumentList.Add(state);
                info.ArgumentList.Add(priority.ToString(CultureInfo.InvariantCulture));
                using var process = Process.Start(info)!;
                using var timeout = new CancellationTokenSource(hook.Timeout);
                var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
                var errors = process.StandardError.ReadToEndAsync(timeout.Token);
                try
                {
                    await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                    _metrics.NotifyFailed(instance);
                    LogTimeout(_logger, hook.Command, instance, state, hook.Timeout.TotalSeconds);
                    continue;
                }

                if (process.ExitCode != 0)
                {
                    _metrics.NotifyFailed(instance);
                    LogFailed(_logger, hook.Command, instance, state, process.ExitCode, (await errors.ConfigureAwait(false)).Trim());
                }

                _ = output;
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
            {
                _metrics.NotifyFailed(instance);
                LogFailed(_logger, hook.Command, instance, state, -1, e.Message);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _worker.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "Notify {Command} for {Instance} {State} timed out after {Seconds} s and was killed")]
    private static partial void LogTimeout(ILogger logger, string command, string instance, string state, double seconds);

    [LoggerMessage(EventId = 41, Level = LogLevel.Warning, Message = "Notify {Command} for {Instance} {State} failed ({ExitCode}): {Error}")]
    private static partial void LogFailed(ILogger logger, string command, string instance, string state, int exitCode, string error);
}
