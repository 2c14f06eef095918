using System.Net.Sockets;
using System.Runtime.InteropServices;
using Edge.Hosting;
using Prometheus;
using VipDaemon.Admin;
using VipDaemon.Core.Config;
using VipDaemon.Net;

namespace VipDaemon.Daemon;

/// <summary>
/// <c>vipd run</c>: starts one runner per instance, serves /healthz, /readyz, /metrics and /status (<see cref="AdminServer"/>),
/// reloads on SIGHUP (unchanged instances keep running), and on SIGTERM stops every instance cleanly before exiting.
/// </summary>
internal static partial class VipdHost
{
    public static async Task<int> RunAsync(string path, VipdConfig config, string logLevel)
    {
        HealthEndpoints.ConfigureDefaultMetrics();
        using var loggers = LoggerFactory.Create(b => EdgeLogging.Configure(b, "VipDaemon", EdgeLogging.Parse(logLevel)));
        var metrics = new VipdMetrics(Metrics.DefaultFactory);
        var notifier = new Notifier(metrics, loggers.CreateLogger<Notifier>());
        var logger = loggers.CreateLogger("VipDaemon.Host");
        var runners = new Dictionary<string, InstanceRunner>(StringComparer.Ordinal);
        var gate = new SemaphoreSlim(1, 1);

        async Task ApplyAsync(VipdConfig next)
        {
            await gate.WaitAsync().ConfigureAwait(false);
            try
            {
                var wanted = next.Instances.ToDictionary(i => i.Name, StringComparer.Ordinal);
                foreach (var (name, runner) in runners.ToList())
                {
                    if (!wanted.TryGetValue(name, out var settings) || !Same(settings, runner.Settings))
                    {
                        await runner.DisposeAsync().ConfigureAwait(false);
                        runners.Remove(name);
                        LogStopped(logger, name);
                    }
                }

                foreach (var settings in next.Instances.Where(i => !runners.ContainsKey(i.Name)))
                {
                    var iface = InterfaceInfo.Find(settings.Interface, settings.Addresses.Select(a => a.Address))
                        ?? throw new InvalidOperationException($"instance {settings.Name}: interface {settings.Interface} does not exist");
                    var runner = new InstanceRunner(settings, iface, notifier, metrics, TimeProvider.System, logger);
                    runners[settings.Name] = runner;
                    runner.Start();
                }
            }
            finally
            {
                gate.Release();
            }
        }

        Task StopRunnersAsync() => Task.WhenAll(runners.Values.Select(r => r.DisposeAsync().AsTask()));

        // SIGTERM, SIGINT and SIGQUIT stop the instances at once (priority 0 first), then the daemon exits. A bare .NET
        // program takes 1-2 ms from kill to its handler (the runtime starts a thread per termination signal).
        var shutdown = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Terminate(PosixSignalContext context)
        {
            context.Cancel = true;
            try
            {
                _ = StopRunnersAsync(); // each runner's first stop sends priority 0; a second signal finds them stopping
            }
            catch (InvalidOperationException)
            {
                // A reload was changing the set of runners: the main path below stops them once it has finished.
            }

            shutdown.TrySetResult();
        }

        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Terminate);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Terminate);
        using var quit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, Terminate);

        // The admin listener first: a daemon that cannot be observed does not take a virtual address.
        AdminServer admin;
        try
        {
            var endpoints = new AdminEndpoints(Metrics.DefaultRegistry, () => runners.Count > 0, () => [.. runners.Values.Select(r => r.Status)]);
            admin = AdminServer.Start(config.Admin, endpoints, AdminLimits.Default, TimeProvider.System, loggers.CreateLogger<AdminServer>());
        }
        catch (SocketException e)
        {
            await Console.Error.WriteLineAsync($"vipd: cannot listen on admin {config.Admin}: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        await using var adminLifetime = admin.ConfigureAwait(false);
        try
        {
            await ApplyAsync(config).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            await Console.Error.WriteLineAsync($"vipd: {e.Message}").ConfigureAwait(false);
            await StopRunnersAsync().ConfigureAwait(false);
            return 1;
        }

        using var hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            _ = Task.Run(async () =>
            {
                string text;
                try
                {
                    text = await File.ReadAllTextAsync(path).ConfigureAwait(false);
                }
                catch (IOException e)
                {
                    LogReloadRejected(logger, e.Message);
                    return;
                }

                var (next, errors) = ConfigReader.Read(text);
                if (next is null)
                {
                    LogReloadRejected(logger, string.Join("; ", errors));
                    return;
                }

                try
                {
                    await ApplyAsync(next).ConfigureAwait(false);
                    LogReloaded(logger, next.Instances.Count);
                }
                catch (Exception e) when (e is InvalidOperationException or IOException or SocketException)
                {
                    LogReloadRejected(logger, e.Message);
                }
            });
        });

        LogStarted(logger, runners.Count, config.Admin.ToString());
        await shutdown.Task.ConfigureAwait(false);
        // A reload in progress when the signal came may have started instances after the handler stopped the others:
        // wait for it (and keep the gate, so none follows), then stop whatever runs (stopping twice is a no-op).
        var stopDeadline = TimeSpan.FromSeconds(8);
        if (await gate.WaitAsync(stopDeadline).ConfigureAwait(false))
        {
            await Task.WhenAny(StopRunnersAsync(), Task.Delay(stopDeadline)).ConfigureAwait(false);
        }
        await notifier.DisposeAsync().ConfigureAwait(false); // runs the hooks still queued
        return 0;
    }

    /// <summary>Settings compared by content: records compare their lists by reference, so the lists are compared here.</summary>
    internal static bool Same(InstanceSettings a, InstanceSettings b)
    {
        static InstanceSettings Scalars(InstanceSettings s) => s with { Addresses = [], UnicastPeers = [], Trackers = [] };
        static TrackerSettings Tracker(TrackerSettings t) => t with { Command = [] };
        return Scalars(a) == Scalars(b) &&
            a.Addresses.SequenceEqual(b.Addresses) &&
            a.UnicastPeers.SequenceEqual(b.UnicastPeers) &&
            a.Trackers.Count == b.Trackers.Count &&
            a.Trackers.Zip(b.Trackers).All(p => Tracker(p.First) == Tracker(p.Second) && p.First.Command.SequenceEqual(p.Second.Command));
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "vipd running {Count} instance(s); admin on {Admin}")]
    private static partial void LogStarted(ILogger logger, int count, string admin);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "SIGHUP: configuration reloaded, {Count} instance(s)")]
    private static partial void LogReloaded(ILogger logger, int count);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "SIGHUP: new configuration rejected, the running one stays: {Errors}")]
    private static partial void LogReloadRejected(ILogger logger, string errors);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Instance {Name} stopped (removed or changed)")]
    private static partial void LogStopped(ILogger logger, string name);
}
