using System.Diagnostics;
using System.Net.NetworkInformation;
using VipDaemon.Core.Config;

namespace VipDaemon.Net;

/// <summary>
/// Adds and removes virtual addresses with iproute2 (<c>ip addr add|del</c>). Chosen over hand-written netlink:
/// iproute2 is on every node, reports errors a person can read, and a call costs a few milliseconds, which matters
/// little next to VRRP's timers; it is idempotent here ("exists" on add and "not there" on delete are success).
/// </summary>
internal static class AddressManager
{
    private static readonly string[] NoDad = ["nodad"];

    public static void Add(string interfaceName, VirtualAddress address) =>
        Run(["addr", "add", address.ToString(), "dev", interfaceName, .. (address.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? NoDad : [])], "File exists");

    public static void Remove(string interfaceName, VirtualAddress address) =>
        Run(["addr", "del", address.ToString(), "dev", interfaceName], "Cannot assign requested address");

    public static bool IsPresent(string interfaceName, VirtualAddress address) =>
        NetworkInterface.GetAllNetworkInterfaces()
            .FirstOrDefault(i => i.Name == interfaceName)?
            .GetIPProperties().UnicastAddresses.Any(u => u.Address.Equals(address.Address)) ?? false;

    private static void Run(string[] args, string benign)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("cannot run ip (iproute2)");
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0 && !error.Contains(benign, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"ip {string.Join(' ', args)}: {error.Trim()}");
        }
    }
}
