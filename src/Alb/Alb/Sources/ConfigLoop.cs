using System.Threading.Channels;
using Alb.Core.Translation;
using Alb.Proxy;

namespace Alb.Sources;

/// <summary>
/// Watches the manifest directory and rebuilds: events are coalesced (100 ms after the last one, at most 1 s after
/// the first), then load → translate → publish. A stat poll every 2 s catches anything the watcher missed.
/// </summary>
internal sealed partial class ConfigLoop(
    ManifestDirectory directory,
    TranslationOptions options,
    TranslationCache cache,
    Publication publication,
    TimeProvider time,
    ILogger<ConfigLoop> logger) : BackgroundService
{
    public static readonly TimeSpan HoldOff = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Loads the directory and translates it, without publishing; load diagnostics come first.</summary>
    public static TranslationResult Build(ManifestDirectory directory, TranslationOptions options, TranslationCache? cache = null)
    {
        var (snapshot, loadDiagnostics) = directory.Load();
        var result = Translator.Translate(snapshot, options, cache);
        return result with { Diagnostics = loadDiagnostics.AddRange(result.Diagnostics) };
    }

    /// <summary>Publishes a translation and logs the diagnostics that are new since the last one.</summary>
    public PublishOutcome Apply(TranslationResult result) => publication.Apply(result);

    /// <summary>Loads, translates and publishes once.</summary>
    public Rebuild Reload() => publication.Rebuild(directory.Load, snapshot => Translator.Translate(snapshot, options, cache));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var watcher = new FileSystemWatcher(directory.Root)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            InternalBufferSize = 64 * 1024,
        };
        watcher.Changed += (_, _) => Signal();
        watcher.Created += (_, _) => Signal();
        watcher.Deleted += (_, _) => Signal();
        watcher.Renamed += (_, _) => Signal();
        watcher.Error += (_, _) => Signal();
        watcher.EnableRaisingEvents = true;

        var lastStat = directory.Stat();
        while (!stoppingToken.IsCancellationRequested)
        {
            var signalled = await WaitAsync(PollInterval, stoppingToken).ConfigureAwait(false);
            if (!signalled)
            {
                var stat = directory.Stat();
                if (stat.SequenceEqual(lastStat))
                {
                    continue;
                }
            }

            var first = time.GetTimestamp();
            while (time.GetElapsedTime(first) < MaxDelay)
            {
                var remaining = MaxDelay - time.GetElapsedTime(first);
                if (!await WaitAsync(remaining < HoldOff ? remaining : HoldOff, stoppingToken).ConfigureAwait(false))
                {
                    break; // quiet for the hold-off
                }
            }

            if (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            try
            {
                var rebuild = Reload();
                LogReload(logger, rebuild.Outcome, time.GetElapsedTime(first).TotalMilliseconds, rebuild.Read.TotalMilliseconds, rebuild.Translate.TotalMilliseconds, rebuild.Publish.TotalMilliseconds);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogReloadFailed(logger, e);
            }

            lastStat = directory.Stat();
        }
    }

    private void Signal() => _changes.Writer.TryWrite(true);

    private async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken stoppingToken)
    {
        if (_changes.Reader.TryRead(out _))
        {
            return true;
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        cts.CancelAfter(timeout);
        try
        {
            await _changes.Reader.ReadAsync(cts.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            // The hold-off passed, or alb is stopping: the loop checks the stopping token itself. Throwing here would
            // reach the host as a crashed background service when the host stops before it fully started (a port in
            // use), and it would log that as Critical.
            return false;
        }
    }

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Manifest change handled: {Outcome} after {Milliseconds:F0} ms (read {ReadMs:F0} ms, translate {TranslateMs:F0} ms, publish {PublishMs:F0} ms)")]
    private static partial void LogReload(ILogger logger, PublishOutcome outcome, double milliseconds, double readMs, double translateMs, double publishMs);

    [LoggerMessage(EventId = 302, Level = LogLevel.Error, Message = "Reload failed; the last good configuration stays in service")]
    private static partial void LogReloadFailed(ILogger logger, Exception exception);
}
