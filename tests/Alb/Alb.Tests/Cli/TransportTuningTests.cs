using System.Net;
using Alb.Cli;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Xunit;

namespace Alb.Tests.Cli;

/// <summary>ALB_INLINE_SCHEDULING, ALB_IO_QUEUES and ALB_WAIT_FOR_DATA: read at start, Kestrel's defaults without them, an error naming the variable on a bad value.</summary>
public sealed class TransportTuningTests
{
    private static SocketTransportOptions Apply(params (string Name, string Value)[] environment)
    {
        var options = new SocketTransportOptions();
        var defaults = new SocketTransportOptions();
        TransportTuning.From(name => environment.FirstOrDefault(e => e.Name == name).Value)(options);
        Assert.Equal(defaults.MaxReadBufferSize, options.MaxReadBufferSize); // nothing else touched
        return options;
    }

    [Fact]
    public void Leaves_Kestrels_defaults_when_unset()
    {
        var options = Apply();
        Assert.False(options.UnsafePreferInlineScheduling);
        Assert.True(options.WaitForDataBeforeAllocatingBuffer);
        Assert.Equal(new SocketTransportOptions().IOQueueCount, options.IOQueueCount);
    }

    [Fact]
    public void Sets_inline_scheduling_and_the_queue_count()
    {
        var options = Apply((TransportTuning.InlineScheduling, "1"), (TransportTuning.IoQueues, "0"));
        Assert.True(options.UnsafePreferInlineScheduling);
        Assert.Equal(0, options.IOQueueCount);
        Assert.Equal(4, Apply((TransportTuning.IoQueues, "4")).IOQueueCount);
        Assert.False(Apply((TransportTuning.InlineScheduling, "0")).UnsafePreferInlineScheduling);
        Assert.False(Apply((TransportTuning.WaitForData, "0")).WaitForDataBeforeAllocatingBuffer);
    }

    [Theory]
    [InlineData(TransportTuning.InlineScheduling, "yes")]
    [InlineData(TransportTuning.InlineScheduling, "true")]
    [InlineData(TransportTuning.WaitForData, "no")]
    [InlineData(TransportTuning.IoQueues, "-1")]
    [InlineData(TransportTuning.IoQueues, "65")]
    [InlineData(TransportTuning.IoQueues, "two")]
    [InlineData(TransportTuning.IoQueues, " 2")]
    public void Refuses_a_bad_value_naming_the_variable(string name, string value)
    {
        var error = Assert.Throws<CommandLineException>(() => TransportTuning.From(n => n == name ? value : null));
        Assert.StartsWith($"{name}={value}: must be ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alb_serves_with_all_three_set()
    {
        await using var origin = await TestOrigin.StartAsync("o");
        using var dir = new ManifestDir();
        dir.Write("all.yaml", ManifestDir.Backend("o", [origin.Port]) + ManifestDir.Ingress("plain", "plain.example.com", "/", "o"));
        await using var alb = await AlbInstance.StartAsync(dir, new Dictionary<string, string> { [TransportTuning.InlineScheduling] = "1", [TransportTuning.IoQueues] = "0", [TransportTuning.WaitForData] = "0" });
        for (var i = 0; i < 3; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = "plain.example.com" } };
            using var response = await alb.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }
}
