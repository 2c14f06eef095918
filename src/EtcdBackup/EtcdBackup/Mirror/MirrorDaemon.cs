using Edge.Hosting;
using EtcdBackup.Daemon;
using EtcdBackup.Core.Config;
using EtcdBackup.Core.Mirror;
using Prometheus;

namespace EtcdBackup.Mirror;

/// <summary>
/// <c>etcd-backup mirror</c>: the standby sync as a long-running process, with <c>/metrics</c> and <c>/healthz</c>
/// on <c>--admin</c> (default 127.0.0.1:9107; <c>/readyz</c> once the first resync or resume is done). Exits 0 on
/// SIGTERM (the resume key is always consistent, so a stop at any point is safe), 1 when it must not go on.
/// </summary>
internal static partial class MirrorDaemon
{
    public static async Task<int> RunAsync(BackupSettings settings, LogLevel level)
    {
        var builder = EdgeHost.CreateBuilder();
        EdgeLogging.Configure(builder.Logging, "EtcdBackup", level);
        builder.WebHost.ConfigureKestrel(k => k.Listen(settings.Mirror.Admin));
        HealthEndpoints.ConfigureDefaultMetrics();
        await using var app = builder.Build();
        var progress = new MirrorProgress(TimeProvider.System.GetUtcNow());
        app.UseEdgeAdmin(ready: () => progress.Applied > 0);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("EtcdBackup.Mirror");
        var ct = app.Lifetime.ApplicationStopping;
        using var setup = await MirrorSetup.ConnectAsync(settings, logger, ct).ConfigureAwait(false);
        setup.Metrics = new MirrorMetrics(Metrics.DefaultRegistry, progress, setup.Time);
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"--admin: cannot listen on {settings.Mirror.Admin}: {e.Message}");
            return ExitCodes.Usage;
        }

        LogStarted(logger, setup.SourceEndpoint, setup.SourceClusterId, setup.DestEndpoint, setup.DestClusterId,
            string.Join(", ", setup.Scope.Ranges), setup.Scope.RevKey, settings.Mirror.Admin.ToString());
        var exit = ExitCodes.Ok;
        try
        {
            await new MirrorRunner(setup, progress, logger).RunAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (ct.IsCancellationRequested && e is OperationCanceledException or Grpc.Core.RpcException { StatusCode: Grpc.Core.StatusCode.Cancelled })
        {
            // SIGTERM: every committed transaction carried its resume point; nothing to clean up.
        }
        catch (MirrorStopException e)
        {
            LogStopped(logger, e.Message);
            Console.Error.WriteLine($"mirror: {e.Message}");
            exit = ExitCodes.Failed;
        }

        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        return exit;
    }

    [LoggerMessage(EventId = 70, Level = LogLevel.Information,
        Message = "etcd-backup mirror: {Source} (cluster {SourceId:x16}) to {Dest} (cluster {DestId:x16}), ranges {Ranges}, resume key {RevKey}, metrics on {Admin}")]
    private static partial void LogStarted(ILogger logger, Uri source, ulong sourceId, Uri dest, ulong destId, string ranges, string revKey, string admin);

    [LoggerMessage(EventId = 71, Level = LogLevel.Error, Message = "mirror stopped: {Reason}")]
    private static partial void LogStopped(ILogger logger, string reason);
}
