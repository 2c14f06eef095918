using System.Net;
using Edge.Testing;

namespace VipDaemon.Tests.Failover;

/// <summary>Starting vipd and keepalived inside a <see cref="NetnsLab"/> node, with one VIP 192.0.2.100 on VRID 51.</summary>
internal static class Vrrp
{
    public static readonly IPAddress Vip = IPAddress.Parse("192.0.2.100");

    public static string VipdDll => Path.Combine(AppContext.BaseDirectory, "vipd.dll");

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
        return lab.Start(node, "dotnet", VipdDll, "run", config);
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
