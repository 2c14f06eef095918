using Alb.Core.Translation;
using Alb.Proxy;
using Edge.Kubernetes;

namespace Alb.Sources;

/// <summary>
/// Watches the manifest directory and rebuilds: events are coalesced by a <see cref="Coalescer"/> (100 ms after the
/// last one, at most 1 s after the first), then load → translate → publish on the <see cref="RebuildThread"/> (the first
/// load was published at start). A stat poll every 2 s signals it too, for anything the watcher missed (an overflowed
/// buffer, a file system without notifications).
/// </summary>
internal sealed partial class ConfigLoop(
    ManifestDirectory directory,
    TranslationOptions options,
    TranslationCache cache,
    Publication publication,
    RebuildThread rebuilds,
    TimeProvider time,
    ILogger<ConfigLoop> logger) : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    private readonly Coalescer _changes = Coalescer.Default(time);

    /// <summary>Loads the directory and translates it, without publishing; load diagnostics come first.</summary>
    public static TranslationResult Build(ManifestDirectory directory, TranslationOptions options, TranslationCache? cache = null)
    {
        var (snapshot, loadDiagnostics) = directory.Load();
        return Translator.Translate(snapshot, options, cache).AfterReading(loadDiagnostics);
    }

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
        watcher.Changed += (_, _) => _changes.Signal();
        watcher.Created += (_, _) => _changes.Signal();
        watcher.Deleted += (_, _) => _changes.Signal();
        watcher.Renamed += (_, _) => _changes.Signal();
        watcher.Error += (_, _) => _changes.Signal();
        watcher.EnableRaisingEvents = true;

        var polling = PollAsync(stoppingToken);
        while (await _changes.WaitAsync(stoppingToken).ConfigureAwait(false) && !stoppingToken.IsCancellationRequested)
        {
            // The load below sees every change signalled so far.
            _changes.Discard();
            try
            {
                var rebuild = await rebuilds.RunAsync(Reload, lower: true).ConfigureAwait(false);
                LogReload(logger, rebuild.Outcome, rebuild.Read.TotalMilliseconds, rebuild.Translate.TotalMilliseconds, rebuild.Publish.TotalMilliseconds);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogReloadFailed(logger, e);
            }
        }

        await polling.ConfigureAwait(false);
    }

    /// <summary>
    /// Signals a change when the directory's stat differs from the previous poll's. A directory that cannot be read
    /// (gone, as during a volume's remount) is a change too: the reload fails, the last good configuration stays in
    /// service, and polling goes on until it is back (before, the exception stopped alb).
    /// </summary>
    private async Task PollAsync(CancellationToken stoppingToken)
    {
        var last = StatOrNull();
        using var timer = new PeriodicTimer(PollInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var stat = StatOrNull();
                if (stat is null ? last is not null : last is null || !stat.SequenceEqual(last))
                {
                    last = stat;
                    _changes.Signal();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // alb is stopping. Throwing would reach the host as a crashed background service when it stops before it
            // fully started (a port in use), and it would log that as Critical.
        }
    }

    private IReadOnlyList<(string Path, long Length, DateTime Modified)>? StatOrNull()
    {
        try
        {
            return directory.Stat();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Manifest change handled: {Outcome} (read {ReadMs:F0} ms, translate {TranslateMs:F0} ms, publish {PublishMs:F0} ms)")]
    private static partial void LogReload(ILogger logger, PublishOutcome outcome, double readMs, double translateMs, double publishMs);

    [LoggerMessage(EventId = 302, Level = LogLevel.Error, Message = "Reload failed; the last good configuration stays in service")]
    private static partial void LogReloadFailed(ILogger logger, Exception exception);
}
