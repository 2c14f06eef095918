using System.Diagnostics;
using VipDaemon.Core.Config;
using VipDaemon.Net;

namespace VipDaemon.Daemon;

/// <summary>Runs one tracker's check every interval and reports ok/failed; the instance applies rise/fall.</summary>
internal static class TrackerChecks
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(1) });

    public static Task RunAsync(TrackerSettings tracker, int index, Action<int, bool> report, TimeProvider time, CancellationToken stopping) =>
        tracker.Kind == TrackerKind.Interface
            ? Task.Run(() => WatchInterfaceAsync(tracker, index, report, time, stopping), stopping)
            : Task.Run(async () =>
            {
                while (!stopping.IsCancellationRequested)
                {
                    report(index, await CheckAsync(tracker, stopping).ConfigureAwait(false)); // every result, for rise/fall
                    try
                    {
                        await Task.Delay(tracker.Interval, time, stopping).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            }, stopping);

    /// <summary>
    /// An interface is read again only when the kernel announces a link change (<see cref="LinkEvents"/>), and reported
    /// when its state differs from the last report. Without rtnetlink (never seen) it is read every 100 ms.
    /// </summary>
    private static async Task WatchInterfaceAsync(TrackerSettings tracker, int index, Action<int, bool> report, TimeProvider time, CancellationToken stopping)
    {
        LinkEvents? links;
        try
        {
            links = LinkEvents.Open(); // subscribed before the first read: no change falls between the two
        }
        catch (InvalidOperationException)
        {
            links = null;
        }

        try
        {
            bool? last = null;
            while (!stopping.IsCancellationRequested)
            {
                var ok = InterfaceInfo.IsUp(tracker.Interface!);
                if (ok != last)
                {
                    report(index, ok); // acts at once
                    last = ok;
                }

                try
                {
                    if (links is null)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(100), time, stopping).ConfigureAwait(false);
                        continue;
                    }

                    try
                    {
                        await links.WaitAsync(stopping).ConfigureAwait(false);
                    }
                    catch (System.Net.Sockets.SocketException)
                    {
                        links.Dispose();
                        links = null; // a broken subscription: poll from now on
                    }
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
        finally
        {
            links?.Dispose();
        }
    }

    private static async Task<bool> CheckAsync(TrackerSettings tracker, CancellationToken stopping)
    {
        switch (tracker.Kind)
        {
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
