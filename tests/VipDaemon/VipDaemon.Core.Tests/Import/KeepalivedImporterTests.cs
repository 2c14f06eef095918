using System.Net;
using VipDaemon.Core.Config;
using VipDaemon.Core.Import;
using Xunit;

namespace VipDaemon.Core.Tests.Import;

public sealed class KeepalivedImporterTests
{
    private const string Conf = """
        ! Configuration File for keepalived
        global_defs {
            router_id vlab1
            vrrp_version 3
            enable_script_security
            script_user root
            vrrp_garp_interval 0.001
        }

        vrrp_script chk_alb {
            script "/usr/bin/curl -sf http://127.0.0.1:10254/readyz"
            interval 2
            timeout 1
            weight -20
            fall 2
            rise 3
            user nobody
        }

        vrrp_instance VI_1 {
            state MASTER
            interface eth0
            virtual_router_id 51
            priority 150
            advert_int 0.1
            nopreempt
            virtual_ipaddress {
                192.0.2.100/32 dev eth0
                192.0.2.101/24 dev eth0 label eth0:vip
            }
            unicast_src_ip 192.0.2.11
            unicast_peer {
                192.0.2.12
                192.0.2.13
            }
            track_interface {
                eth1 weight -30
                eth2
            }
            track_script {
                chk_alb
            }
            authentication {
                auth_type PASS
                auth_pass secret
            }
            notify /usr/local/bin/notify.sh
        }

        virtual_server 192.0.2.100 80 {
            delay_loop 6
        }
        """;

    [Fact]
    public void Converts_instances_scripts_and_tracking_into_a_valid_vipd_config()
    {
        var result = KeepalivedImporter.Convert(Conf);
        var (config, errors) = ConfigReader.Read(result.Yaml);
        Assert.True(errors.Count == 0, string.Join("\n", errors) + "\n" + result.Yaml);

        var vi = Assert.Single(config!.Instances);
        Assert.Equal("VI_1", vi.Name);
        Assert.Equal("eth0", vi.Interface);
        Assert.Equal((byte)51, vi.Vrid);
        Assert.Equal(3, vi.Version);
        Assert.Equal((byte)150, vi.Priority);
        Assert.Equal(10, vi.AdvertIntervalCentiseconds);
        Assert.False(vi.Preempt);
        Assert.Equal([new VirtualAddress(IPAddress.Parse("192.0.2.100"), 32), new VirtualAddress(IPAddress.Parse("192.0.2.101"), 24)], vi.Addresses);
        Assert.Equal(IPAddress.Parse("192.0.2.11"), vi.UnicastSource);
        Assert.Equal([IPAddress.Parse("192.0.2.12"), IPAddress.Parse("192.0.2.13")], vi.UnicastPeers);
        Assert.Equal("/usr/local/bin/notify.sh", vi.Notify!.Command);

        var eth1 = vi.Trackers.Single(t => t.Name == "eth1");
        Assert.Equal((TrackerKind.Interface, -30), (eth1.Kind, eth1.Weight));
        Assert.Equal(0, vi.Trackers.Single(t => t.Name == "eth2").Weight);
        var script = vi.Trackers.Single(t => t.Kind == TrackerKind.Exec);
        Assert.Equal(["/usr/bin/curl", "-sf", "http://127.0.0.1:10254/readyz"], script.Command);
        Assert.Equal((-20, 3, 2), (script.Weight, script.Rise, script.Fall));
        Assert.Equal(TimeSpan.FromSeconds(2), script.Interval);
    }

    [Fact]
    public void Says_what_it_could_not_convert_with_the_line()
    {
        var notes = KeepalivedImporter.Convert(Conf).NotConverted;
        Assert.Contains(notes, n => n.Contains("authentication", StringComparison.Ordinal) && n.StartsWith("line 43", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.Contains("virtual_server", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.Contains("label eth0:vip", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.Contains("vrrp_garp_interval", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.Contains("user", StringComparison.Ordinal) && n.Contains("chk_alb", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.Contains("state MASTER", StringComparison.Ordinal));
        Assert.DoesNotContain(notes, n => n.Contains("secret", StringComparison.Ordinal)); // never repeat a password
    }

    [Fact]
    public void Reports_broken_files()
    {
        var result = KeepalivedImporter.Convert("vrrp_instance VI_1 {\n  interface eth0\n");
        Assert.Contains(result.NotConverted, n => n.Contains("end of file", StringComparison.Ordinal));
        Assert.NotEmpty(ConfigReader.Read(result.Yaml).Errors); // vrid and addresses are missing: check says so
    }
}
