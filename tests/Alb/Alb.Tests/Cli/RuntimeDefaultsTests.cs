using System.Text.Json;
using Alb.Cli;
using Alb.Tests.Fixtures;
using Xunit;

namespace Alb.Tests.Cli;

/// <summary>
/// alb's runtime defaults (docs/alb.md#thread-hops-runtime-defaults-and-transport-knobs): inline socket completions on
/// unless the environment says otherwise, seen from outside as the socket engine's thread count (one per CPU with
/// them, one for up to 30 CPUs without); the thread pool's spinning off in alb.runtimeconfig.json.
/// </summary>
public sealed class RuntimeDefaultsTests
{
    private static async Task<int> SocketEngineThreadsAsync(IDictionary<string, string> environment)
    {
        using var dir = new ManifestDir();
        await using var alb = await AlbInstance.StartAsync(dir, environment);
        return Directory.GetDirectories($"/proc/{alb.Process.Id}/task").Count(task => File.ReadAllText(Path.Combine(task, "comm")).Trim() == ".NET Sockets");
    }

    [Fact]
    public async Task Inline_completions_are_on_by_default_and_off_with_the_variable_at_0()
    {
        var withDefault = await SocketEngineThreadsAsync(new Dictionary<string, string>());
        var turnedOff = await SocketEngineThreadsAsync(new Dictionary<string, string> { [RuntimeDefaults.InlineCompletions] = "0" });
        Assert.Equal(Environment.ProcessorCount, withDefault);
        Assert.True(turnedOff < withDefault || Environment.ProcessorCount == 1, $"{turnedOff} socket engine threads with the variable at 0, {withDefault} without");
    }

    [Fact]
    public void The_thread_pools_spinning_is_off_in_the_runtimeconfig()
    {
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "alb.runtimeconfig.json")));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.Equal(0, properties.GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32());
    }
}
