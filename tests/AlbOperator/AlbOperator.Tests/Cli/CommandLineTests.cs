using System.Net;
using AlbOperator.Cli;
using Edge.Testing;
using YamlDotNet.RepresentationModel;

namespace AlbOperator.Tests.Cli;

public sealed class CommandLineTests : IDisposable
{
    private readonly string _kubeconfig = Path.GetTempFileName();

    public void Dispose() => File.Delete(_kubeconfig);

    private RunOptions Parse(IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        CommandLine.ParseRun([.. args, "--kubeconfig", _kubeconfig], name => environment?.GetValueOrDefault(name));

    [Fact]
    public void Defaults_come_from_the_pod_and_the_issue()
    {
        var options = Parse(new Dictionary<string, string> { ["POD_NAMESPACE"] = "edge-system", ["POD_NAME"] = "alb-operator-7d9f-x2" });

        Assert.Equal("edge-system", options.Namespace);
        Assert.Equal("alb-operator-7d9f-x2", options.Identity);
        Assert.Equal("alb-operator", options.LeaseName);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 10256), options.Admin);
        Assert.Equal(new IPEndPoint(IPAddress.Any, 9443), options.Webhook);
        Assert.Equal(RunOptions.DefaultAlbImage, options.AlbImage);
        var version = typeof(RunOptions).Assembly.GetName().Version!;
        Assert.Equal($"registry.example.com/edge/alb:{version.Major}.{version.Minor}.{version.Build}", options.AlbImage); // the release's own, never :latest
        Assert.Null(options.VipdImage);
        Assert.Equal((15, 10, 2), (options.LeaseDuration.TotalSeconds, options.RenewDeadline.TotalSeconds, options.RetryPeriod.TotalSeconds));

        var bare = Parse(null);
        Assert.Equal("default", bare.Namespace);
        Assert.Equal(Environment.MachineName, bare.Identity);
    }

    [Fact]
    public void Every_flag_is_read_in_both_spellings()
    {
        var options = Parse(null,
            "--namespace", "ops", "--lease-name=op-lease", "--identity", "me", "--admin", "0.0.0.0:1", "--webhook=[::1]:2",
            "--alb-image", "reg/edge/alb:1", "--vipd-image", "reg/edge/vipd:1", "--log-level", "debug",
            "--lease-duration", "30s", "--renew-deadline=20", "--retry-period", "4");

        Assert.Equal(("ops", "op-lease", "me"), (options.Namespace, options.LeaseName, options.Identity));
        Assert.Equal(new IPEndPoint(IPAddress.Any, 1), options.Admin);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 2), options.Webhook);
        Assert.Equal(("reg/edge/alb:1", "reg/edge/vipd:1", "debug"), (options.AlbImage, options.VipdImage, options.LogLevel));
        Assert.Equal((30, 20, 4), (options.LeaseDuration.TotalSeconds, options.RenewDeadline.TotalSeconds, options.RetryPeriod.TotalSeconds));
        Assert.Equal("op-lease", options.Election.LeaseName);
    }

    [Theory]
    [InlineData("--bogus", "unknown flag --bogus")]
    [InlineData("--identity", "--identity needs a value")]
    [InlineData("--admin nope", "--admin: \"nope\" is not ADDR:PORT")]
    [InlineData("--webhook host:9443", "--webhook: \"host\" is not an IP address")]
    [InlineData("--namespace Edge_System", "--namespace:")]
    [InlineData("--namespace a.b", "--namespace:")]
    [InlineData("--lease-name a/b", "--lease-name:")]
    [InlineData("--alb-image", "--alb-image needs a value")]
    [InlineData("--log-level loud", "--log-level:")]
    [InlineData("--lease-duration 0", "--lease-duration: \"0\" is not a number of seconds")]
    [InlineData("--lease-duration 10 --renew-deadline 10", "--lease-duration, --renew-deadline, --retry-period: the lease duration must be longer than the renew deadline")]
    [InlineData("--admin 127.0.0.1:9443 --webhook 0.0.0.0:9443", "--admin and --webhook must use different ports")]
    [InlineData("extra", "unexpected argument \"extra\"")]
    public void A_bad_flag_is_one_message_naming_it(string args, string message)
    {
        var e = Assert.Throws<CommandLineException>(() => Parse(null, args.Split(' ')));

        Assert.StartsWith("alb-operator run: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_kubeconfig_that_does_not_exist_is_named()
    {
        var e = Assert.Throws<CommandLineException>(() => CommandLine.ParseRun(["--kubeconfig", "/nonexistent/kubeconfig"], _ => null));

        Assert.Equal("alb-operator run: --kubeconfig: file \"/nonexistent/kubeconfig\" does not exist", e.Message);
    }

    [Fact]
    public void The_deployment_in_deploy_base_passes_flags_the_operator_accepts()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(Golden.SourceDirectory("deploy"), "base", "operator.yaml")))
        {
            yaml.Load(reader);
        }

        var deployment = (YamlMappingNode)yaml.Documents.Select(d => d.RootNode).First(n => ((YamlMappingNode)n)["kind"].ToString() == "Deployment");
        var container = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)deployment["spec"])["template"])["spec"])["containers"]).Children[0];
        var args = ((YamlSequenceNode)container["args"]).Children.Select(a => a.ToString().Replace("$(POD_NAME)", "alb-operator-0", StringComparison.Ordinal)).ToList();

        Assert.Equal("run", args[0]);
        var options = Parse(new Dictionary<string, string> { ["POD_NAMESPACE"] = "edge-system" }, [.. args.Skip(1)]);
        Assert.Equal(("edge-system", "alb-operator-0", 10256, 9443), (options.Namespace, options.Identity, options.Admin.Port, options.Webhook.Port));
    }
}
