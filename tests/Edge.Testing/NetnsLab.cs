using System.Diagnostics;
using System.Net;

namespace Edge.Testing;

/// <summary>
/// A LAN of network namespaces made by the test: a bridge namespace (also the observer, 192.0.2.254) and N nodes,
/// each with eth0 = 192.0.2.(10+i)/24 on the bridge (TEST-NET-1). Names carry a random prefix so parallel tests
/// never meet; dispose kills what runs inside and deletes every namespace. Needs root (CI runs as root).
/// </summary>
public sealed class NetnsLab : IAsyncDisposable
{
    private readonly string _prefix;
    private readonly List<TestProcess> _processes = [];

    private NetnsLab(string prefix, int nodes)
    {
        _prefix = prefix;
        Nodes = nodes;
    }

    public int Nodes { get; }

    public string Bridge => $"{_prefix}br";

    public string Node(int i) => $"{_prefix}n{i}";

    public static IPAddress Address(int i) => IPAddress.Parse($"192.0.2.{10 + i}");

    /// <summary>
    /// Null when namespaces can be made here; otherwise why not (the test is skipped with that reason). Probed once
    /// per process: tests run in parallel, and two probes under one name made the second fail ("File exists"), which
    /// skipped a keepalived interop test in CI.
    /// </summary>
    public static string? Unavailable() => Probe.Value;

    private static readonly Lazy<string?> Probe = new(() =>
    {
        if (!OperatingSystem.IsLinux())
        {
            return "network namespaces need Linux";
        }

        if (Environment.UserName != "root")
        {
            return "network namespaces need root (CI runs as root)";
        }

        var probe = $"edgeprobe{Environment.ProcessId}";
        var (code, _, error) = Run("ip", "netns", "add", probe);
        Run("ip", "netns", "del", probe);
        return code == 0 ? null : $"ip netns add failed: {error.Trim()}";
    });

    public static NetnsLab Create(int nodes)
    {
        var lab = new NetnsLab($"e{Random.Shared.Next(0x1000, 0xffff):x4}", nodes);
        var br = lab.Bridge;
        Must("netns", "add", br);
        Must("-n", br, "link", "add", "br0", "address", "02:00:00:00:00:fe", "type", "bridge", "stp_state", "0", "forward_delay", "0", "mcast_snooping", "0");
        Must("-n", br, "addr", "add", "192.0.2.254/24", "dev", "br0");
        Run("ip", "netns", "exec", br, "sysctl", "-qw", "net.ipv6.conf.br0.accept_dad=0");
        Run("ip", "-n", br, "addr", "add", "2001:db8::fe/64", "dev", "br0", "nodad");
        Must("-n", br, "link", "set", "br0", "up");
        Must("-n", br, "link", "set", "lo", "up");
        for (var i = 1; i <= nodes; i++)
        {
            var ns = lab.Node(i);
            Must("netns", "add", ns);
            Must("-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", $"veth{i}");
            Must("-n", ns, "link", "set", $"veth{i}", "netns", br);
            Must("-n", br, "link", "set", $"veth{i}", "master", "br0");
            Must("-n", br, "link", "set", $"veth{i}", "up");
            Must("-n", ns, "addr", "add", $"192.0.2.{10 + i}/24", "dev", "eth0");
            // IPv6 usable at once: no duplicate address detection holding the link-local address "tentative".
            Run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.eth0.accept_dad=0");
            Run("ip", "-n", ns, "addr", "add", $"2001:db8::{10 + i}/64", "dev", "eth0", "nodad");
            Must("-n", ns, "link", "set", "eth0", "up");
            Must("-n", ns, "link", "set", "lo", "up");
        }

        return lab;
    }

    /// <summary>Starts a process inside node <paramref name="i"/>'s namespace (0 = the bridge/observer).</summary>
    public TestProcess Start(int i, string file, params string[] args)
    {
        var process = TestProcess.Start("ip", ["netns", "exec", i == 0 ? Bridge : Node(i), file, .. args]);
        _processes.Add(process);
        return process;
    }

    public (int Code, string Stdout, string Stderr) Exec(int i, string file, params string[] args) =>
        Run("ip", ["netns", "exec", i == 0 ? Bridge : Node(i), file, .. args]);

    public bool HasAddress(int i, IPAddress address) =>
        Run("ip", "-n", Node(i), "-o", "addr", "show", "dev", "eth0").Stdout.Contains($" {address}/", StringComparison.Ordinal);

    public IReadOnlyList<int> Holders(IPAddress address) => [.. Enumerable.Range(1, Nodes).Where(i => HasAddress(i, address))];

    public string Mac(int i) =>
        Run("ip", "-n", Node(i), "-o", "link", "show", "dev", "eth0").Stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .SkipWhile(w => w != "link/ether").Skip(1).FirstOrDefault() ?? "";

    /// <summary>Cuts node <paramref name="i"/>'s cable (its eth0 loses carrier) or plugs it back.</summary>
    public void SetLink(int i, bool up) => Must("-n", Bridge, "link", "set", $"veth{i}", up ? "up" : "down");

    /// <summary>Polls until <paramref name="condition"/> holds or the timeout passes; returns how long it took, or null.</summary>
    public static async Task<TimeSpan?> WaitAsync(Func<bool> condition, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (condition())
            {
                return watch.Elapsed;
            }

            await Task.Delay(10);
        }

        return condition() ? watch.Elapsed : null;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _processes)
        {
            await p.DisposeAsync();
        }

        foreach (var ns in Enumerable.Range(1, Nodes).Select(Node).Append(Bridge))
        {
            foreach (var pid in Run("ip", "netns", "pids", ns).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                Run("kill", "-9", pid.Trim());
            }

            Run("ip", "netns", "del", ns);
        }
    }

    private static void Must(params string[] args)
    {
        var (code, _, error) = Run("ip", args);
        if (code != 0)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', args)}: {error.Trim()}");
        }
    }

    private static (int Code, string Stdout, string Stderr) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEnd();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout, stderr);
    }
}
