using Edge.Testing;
using VipDaemon.Tests.Failover;
using Xunit;

namespace VipDaemon.Tests.Cli;

public sealed class CommandLineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vipd-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Task<(int ExitCode, string Stdout, string Stderr)> VipdAsync(params string[] args)
    {
        var (file, arguments) = Vrrp.Command(args);
        return TestProcess.RunAsync(file, arguments);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Check_prints_every_error_with_its_path_and_exits_1()
    {
        var path = Write("bad.yaml", "instances:\n  - name: a\n    vrid: 300\n    priority: high\n    addresses: [192.0.2.1/40]\n    advertInterval: 1ms\n");
        var (exit, stdout, stderr) = await VipdAsync("check", path);
        Assert.Equal(1, exit);
        Assert.Empty(stdout);
        foreach (var expected in new[] { "instances[0].interface: is required", "instances[0].vrid", "instances[0].priority", "instances[0].addresses[0]", "instances[0].advertInterval" })
        {
            Assert.Contains(expected, stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Check_accepts_a_valid_config()
    {
        var path = Write("ok.yaml", "instances:\n  - {name: VI_1, interface: eth0, vrid: 51, priority: 150, advertInterval: 20ms, addresses: [192.0.2.100/32]}\n");
        var (exit, stdout, _) = await VipdAsync("check", path);
        Assert.Equal(0, exit);
        Assert.Contains("valid, 1 instance(s): VI_1 (VRID 51 on eth0, v3, priority 150)", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Imports_keepalived_conf_to_a_config_that_checks()
    {
        var conf = Write("keepalived.conf", """
            vrrp_instance VI_1 {
                interface eth0
                virtual_router_id 51
                priority 150
                advert_int 1
                virtual_ipaddress {
                    192.0.2.100/32
                }
                smtp_alert
            }
            """);
        var (exit, yaml, notes) = await VipdAsync("import-keepalived", conf);
        Assert.Equal(0, exit);
        Assert.Contains("smtp_alert", notes, StringComparison.Ordinal);
        var (checkExit, _, checkErrors) = await VipdAsync("check", Write("converted.yaml", yaml));
        Assert.True(checkExit == 0, checkErrors);
    }

    [Fact]
    public async Task Run_refuses_a_bad_config_naming_the_field_before_touching_the_network()
    {
        var path = Write("bad-run.yaml", "instances:\n  - {name: VI_1, interface: lo, vrid: 51, priority: 300, addresses: [192.0.2.100/32]}\n");
        var (exit, _, stderr) = await VipdAsync("run", path);
        Assert.Equal(1, exit);
        Assert.Contains($"{path}: instances[0].priority:", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_refuses_an_admin_address_in_use_with_one_line_before_touching_the_network()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        var path = Write("busy.yaml", $"admin: 127.0.0.1:{port}\ninstances:\n  - {{name: VI_1, interface: lo, vrid: 51, priority: 150, addresses: [192.0.2.100/32]}}\n");
        var (exit, _, stderr) = await VipdAsync("run", path);
        Assert.Equal(1, exit);
        Assert.Contains($"vipd: cannot listen on admin 127.0.0.1:{port}", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData(new[] { "frobnicate" }, "unknown command")]
    [InlineData(new[] { "check" }, "a file argument is required")]
    [InlineData(new[] { "check", "/nonexistent.yaml" }, "does not exist")]
    [InlineData(new[] { "run", "/nonexistent.yaml" }, "does not exist")]
    [InlineData(new[] { "import-keepalived", "/nonexistent.conf" }, "does not exist")]
    [InlineData(new[] { "status", "--nope" }, "usage")]
    public async Task Rejects_bad_usage_with_one_line_and_exit_2(string[] args, string message)
    {
        var (exit, _, stderr) = await VipdAsync(args);
        Assert.Equal(2, exit);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
