using AlbOperator.Core.Schema;
using AlbOperator.Tests.Fixtures;
using Edge.Testing;

namespace AlbOperator.Tests.Cli;

/// <summary>The binary as a user runs it: help, usage errors (exit 2, one line), and <c>alb-operator crd</c>.</summary>
public class CommandTests
{
    private static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args) =>
        TestProcess.RunAsync("dotnet", [OperatorProcess.Dll, .. args], TimeSpan.FromSeconds(30));

    [Fact]
    public async Task Crd_prints_the_custom_resource_definition()
    {
        var (exit, stdout, stderr) = await RunAsync("crd");

        Assert.True(exit == 0, stderr);
        Assert.Equal(Crd.RenderYaml().TrimEnd('\n'), stdout.ReplaceLineEndings("\n").TrimEnd('\n'));
    }

    [Fact]
    public async Task Help_describes_the_commands_and_every_run_flag()
    {
        var (exit, stdout, _) = await RunAsync("--help");
        Assert.Equal(0, exit);
        Assert.Contains("alb-operator run", stdout, StringComparison.Ordinal);
        Assert.Contains("alb-operator crd", stdout, StringComparison.Ordinal);

        (exit, stdout, _) = await RunAsync("run", "--help");
        Assert.Equal(0, exit);
        foreach (var flag in new[] { "--kubeconfig", "--namespace", "--lease-name", "--identity", "--admin", "--webhook", "--alb-image", "--vipd-image", "--log-level", "--lease-duration", "--renew-deadline", "--retry-period" })
        {
            Assert.Contains(flag, stdout, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("run --bogus", "--bogus")]
    [InlineData("run --admin", "--admin needs a value")]
    [InlineData("deploy", "unknown command \"deploy\"")]
    [InlineData("crd --output json", "alb-operator crd: unexpected argument")]
    public async Task Bad_usage_is_one_line_and_exit_code_2(string args, string message)
    {
        var (exit, stdout, stderr) = await RunAsync(args.Split(' '));

        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task A_kubeconfig_that_is_not_one_is_a_usage_error()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "this: [is not a kubeconfig");
            var (exit, _, stderr) = await RunAsync("run", "--kubeconfig", file);

            Assert.Equal(2, exit);
            Assert.StartsWith($"alb-operator run: --kubeconfig: \"{file}\" cannot be used: ", stderr, StringComparison.Ordinal);
            Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task No_command_prints_the_help_and_exits_2()
    {
        var (exit, stdout, _) = await RunAsync();

        Assert.Equal(2, exit);
        Assert.Contains("Usage:", stdout, StringComparison.Ordinal);
    }
}
