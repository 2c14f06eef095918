using System.Globalization;
using Edge.Testing.KubeApi;

// Runs the test API server as a process until SIGTERM/SIGINT, for kubectl and real alb / alb-operator processes:
//   dotnet run --project tests/tools/TestApiServer -- --port 0 --kubeconfig-out /tmp/kubeconfig [--bookmark-seconds 1] [--event-window N] [--log-requests]
// Prints the URL on stdout once listening; --log-requests prints every request to stderr.
var options = new TestApiServerOptions();
string? kubeconfig = null;
for (var i = 0; i < args.Length; i++)
{
    var value = i + 1 < args.Length ? args[i + 1] : null;
    switch (args[i])
    {
        case "--port" when value is not null:
            options = options with { Port = int.Parse(value, CultureInfo.InvariantCulture) };
            i++;
            break;
        case "--kubeconfig-out" when value is not null:
            kubeconfig = value;
            i++;
            break;
        case "--bookmark-seconds" when value is not null:
            options = options with { BookmarkInterval = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)) };
            i++;
            break;
        case "--log-requests":
            options = options with { OnRequestCompleted = r => Console.Error.WriteLine(r.ToString() + (r.ContentType is null ? "" : " " + r.ContentType)) };
            break;
        case "--event-window" when value is not null:
            options = options with { EventWindow = int.Parse(value, CultureInfo.InvariantCulture) };
            i++;
            break;
        default:
            await Console.Error.WriteLineAsync($"usage: TestApiServer [--port N] [--kubeconfig-out FILE] [--bookmark-seconds S] [--event-window N] [--log-requests] (unknown: {args[i]})");
            return 2;
    }
}

using var stop = new CancellationTokenSource();
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });

await using var server = await TestApiServer.StartAsync(options);
if (kubeconfig is not null)
{
    server.WriteKubeconfig(kubeconfig);
}

Console.WriteLine(server.Url.ToString().TrimEnd('/'));
await Console.Out.FlushAsync();
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
    // SIGTERM or SIGINT
}

return 0;
