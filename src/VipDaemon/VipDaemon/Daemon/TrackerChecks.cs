using System.Diagnostics;
using VipDaemon.Core.Config;
using VipDaemon.Net;

namespace VipDaemon.Daemon;

/// <summary>Runs one tracker's check every interval and reports ok/failed; the instance applies rise/fall.</summary>
internal static class TrackerChecks
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(1) });

    public static Task RunAsync(TrackerSettings tracker, int index, Action<int, bool> report, TimeProvider time, CancellationToken stopping) =>
        Task.Run(async () =>
        {
            var interval = tracker.Kind == TrackerKind.Interface ? TimeSpan.FromMilliseconds(100) : tracker.Interval;
            bool? last = null;
            while (!stopping.IsCancellationRequested)
            {
                var ok = await CheckAsync(tracker, stopping).ConfigureAwait(false);
                if (tracker.Kind != TrackerKind.Interface || ok != last)
                {
                    report(index, ok); // interface changes act at once; checks report every result for rise/fall
                    last = ok;
                }

                try
                {
                    await Task.Delay(interval, time, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }, stopping);

    private static async Task<bool> CheckAsync(TrackerSettings tracker, CancellationToken stopping)
    {
        switch (tracker.Kind)
        {
            case TrackerKind.Interface:
                return InterfaceInfo.IsUp(tracker.Interface!);
            case TrackerKind.Http:
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping))
                {
                    timeout.CancelAfter(tracker.Timeout);
                    try
                    {
                        using var response = await Http.GetAsync(tracker.Url, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                        return response.IsSuccessStatusCode;
                    }
                    catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
                    {
                        return false;
                    }
                }

            default:
                var info = new ProcessStartInfo(tracker.Command[0]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (var arg in tracker.Command.Skip(1))
                {
                    info.ArgumentList.Add(arg);
                }

                try
                {
                    using var process = Process.Start(info)!;
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                    timeout.CancelAfter(tracker.Timeout);
                    _ = process.StandardOutput.ReadToEndAsync(timeout.Token);
                    _ = process.StandardError.ReadToEndAsync(timeout.Token);
                    try
                    {
                        await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                        return process.ExitCode == 0;
                    }
                    catch (OperationCanceledException)
                    {
                        process.Kill(entireProcessTree: true);
                        return false;
                    }
                }
                catch (System.ComponentModel.Win32Exception)
                {
                    return false;
                }
        }
    }
}
