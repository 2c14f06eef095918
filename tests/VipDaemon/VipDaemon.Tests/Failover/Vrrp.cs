using System.Net;
using Edge.Testing;

namespace VipDaemon.Tests.Failover;

/// <summary>Starting vipd and keepalived inside a <see cref="NetnsLab"/> node, with one VIP 192.0.2.100 on VRID 51.</summary>
internal static class Vrrp
{
    public static readonly IPAddress Vip = IPAddress.Parse("192.0.2.100");

    /// <summary>Names the published executable to test instead of the build's vipd.dll (scripts/test.sh runs the process
    /// tests a second time against the Native AOT publish, the form that is shipped).</summary>
    public const string BinaryVariable = "VIPD_BIN";

    public static string VipdDll => Path.Combine(AppContext.BaseDirectory, "vipd.dll");

    /// <summary>The published executable under test, or null for the build's dll.</summary>
    public static string? Binary => Environment.GetEnvironmentVariable(BinaryVariable) is { Length: > 0 } bin ? Path.GetFullPath(bin) : null;

    /// <summary>The program to start and its arguments: <c>dotnet vipd.dll ARGS</c>, or <c>$VIPD_BIN ARGS</c>.</summary>
    public static (string File, string[] Args) Command(params string[] args) =>
        Binary is { } binary ? (binary, args) : ("dotnet", [VipdDll, .. args]);

    public static TestProcess StartIn(NetnsLab lab, int node, params string[] args)
    {
        var (file, arguments) = Command(args);
        return lab.Start(node, file, arguments);
    }

    public static (int Code, string Stdout, string Stderr) ExecIn(NetnsLab lab, int node, params string[] args)
    {
        var (file, arguments) = Command(args);
        return lab.Exec(node, file, arguments);
    }

    public static TestProcess StartVipd(NetnsLab lab, int node, int priority, string interval = "100ms", int version = 3, bool preempt = true, string extra = "")
    {
        var config = Path.Combine(Path.GetTempPath(), $"{lab.Node(node)}-vipd.yaml");
        File.WriteAllText(config, $"""
            admin: 127.0.0.1:9105
            instances:
              - name: VI_1
                interface: eth0
                vrid: 51
                version: {version}
                priority: {priority}
                advertInterval: {interval}
                preempt: {(preempt ? "true" : "false")}
                addresses: [192.0.2.100/32]
            {extra}
            """);
        return StartIn(lab, node, "run", config);
    }

    public static TestProcess StartKeepalived(NetnsLab lab, int node, int priority, double intervalSeconds = 0.1, int version = 3)
    {
        var dir = Path.Combine(Path.GetTempPath(), lab.Node(node) + "-ka");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "keepalived.conf"), $$"""
            global_defs {
                router_id {{lab.Node(node)}}
                vrrp_version {{version}}
                enable_script_security
                script_user root
            }
            vrrp_instance VI_1 {
                state BACKUP
                interface eth0
                virtual_router_id 51
                priority {{priority}}
                advert_int {{intervalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}}
                virtual_ipaddress {
                    192.0.2.100/32 dev eth0
                }
            }
            """);
        return lab.Start(node, "keepalived", "-n", "-l", "-D", "-G", "-P", "-f", Path.Combine(dir, "keepalived.conf"),
            "-p", Path.Combine(dir, "keepalived.pid"), "-r", Path.Combine(dir, "vrrp.pid"));
    }

    public static string? KeepalivedMissing() =>
        File.Exists("/usr/sbin/keepalived") ? null : "keepalived is not installed (scripts/test.sh installs it)";
}
