using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

/// <summary>
/// hey timing GET /p1 on host-1 (a plain Ingress no change touches), by default at 200 requests/s over one keep-alive
/// connection, in its own process, until its duration ends or <see cref="Stop"/>; every request's latency from its CSV.
/// </summary>
internal sealed partial class Probe
{
    private readonly Process _process;
    private readonly Task<string> _output;

    private Probe(Process process)
    {
        _process = process;
        Started = Stopwatch.GetTimestamp();
        StartedUtc = DateTime.UtcNow;
        _output = process.StandardOutput.ReadToEndAsync();
    }

    /// <summary>hey at <paramref name="rate"/> requests/s (0: as fast as one connection goes), on <paramref name="cpus"/>.</summary>
    public static Probe Start(string url, string? cpus, TimeSpan duration, int rate = 200)
    {
        string[] hey = ["hey", "-z", $"{(int)duration.TotalSeconds}s", .. rate > 0 ? ["-q", rate.ToString(CultureInfo.InvariantCulture)] : Array.Empty<string>(),
            "-c", "1", "-o", "csv", "-host", "host-1.example.com", url];
        var info = cpus is null ? new ProcessStartInfo(hey[0], hey[1..]) : new ProcessStartInfo("taskset", ["-c", cpus, .. hey]);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        return new Probe(Process.Start(info)!);
    }

    /// <summary>When hey was started (<see cref="Stopwatch.GetTimestamp"/>): its offsets count from about then.</summary>
    public long Started { get; }

    /// <summary>The same moment on the wall clock.</summary>
    public DateTime StartedUtc { get; }

    /// <summary>Each request's start, ms after hey's (hey's "offset"), by the order of <see cref="ResultAsync"/>.</summary>
    public List<double> Offsets { get; } = [];

    /// <summary>SIGINT: hey stops sending and prints what it measured.</summary>
    public void Stop()
    {
        if (Kill(_process.Id, 2) != 0)
        {
            throw new InvalidOperationException($"kill -INT {_process.Id}: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Each request's latency in ms; throws on a status other than 200 or no request at all.</summary>
    public async Task<List<double>> ResultAsync()
    {
        var csv = await _output;
        var error = await _process.StandardError.ReadToEndAsync();
        await _process.WaitForExitAsync();
        var latencies = new List<double>();
        foreach (var line in csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Skip(1))
        {
            // response-time,DNS+dialup,DNS,Request-write,Response-delay,Response-read,status-code,offset
            var fields = line.Split(',');
            if (fields.Length < 8 || fields[6] != "200")
            {
                throw new InvalidOperationException($"an unchanged host: hey reported '{line}'");
            }

            latencies.Add(double.Parse(fields[0], CultureInfo.InvariantCulture) * 1000);
            Offsets.Add(double.Parse(fields[7], CultureInfo.InvariantCulture) * 1000);
        }

        return latencies.Count > 0 ? latencies : throw new InvalidOperationException($"hey measured nothing (exit {_process.ExitCode}): {error}");
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}

/// <summary>The backend: nginx answering 200 to everything, one worker, in its own processes.</summary>
internal sealed class NginxOrigin : IDisposable
{
    private readonly Process _master;

    private NginxOrigin(Process master, int port)
    {
        _master = master;
        Port = port;
    }

    public int Port { get; }

    public static NginxOrigin Start(string directory, string? cpus)
    {
        var port = Edge.Testing.FreePort.Next();
        var conf = Path.Combine(directory, "origin.conf");
        File.WriteAllText(conf, $$"""
            worker_processes 1;
            daemon off;
            pid {{directory}}/nginx.pid;
            error_log {{directory}}/nginx-error.log warn;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path {{directory}}/body;
                proxy_temp_path {{directory}}/proxy;
                fastcgi_temp_path {{directory}}/fastcgi;
                uwsgi_temp_path {{directory}}/uwsgi;
                scgi_temp_path {{directory}}/scgi;
                server { listen 127.0.0.1:{{port}}; location / { return 200 "ok\n"; } }
            }
            """);
        string[] nginx = ["nginx", "-c", conf, "-e", Path.Combine(directory, "nginx-error.log")];
        var info = cpus is null ? new ProcessStartInfo(nginx[0], nginx[1..]) : new ProcessStartInfo("taskset", ["-c", cpus, .. nginx]);
        var master = Process.Start(info)!;
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return new NginxOrigin(master, port);
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(10) && !master.HasExited)
            {
                Thread.Sleep(20);
            }
        }
    }

    private bool _disposed;

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _master.Kill(entireProcessTree: true);
        _master.WaitForExit();
        _master.Dispose();
    }
}
