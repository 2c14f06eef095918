using System.Collections.Immutable;
using Alb.Core.Diagnostics;
using Alb.Sources;
using Edge.Kubernetes;
using Edge.Testing.KubeApi;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Alb.Tests.Cluster;

/// <summary>
/// Ingress diagnostics as Events are limited to <see cref="EventPoster.PerMinute"/> in any minute, a sliding window
/// on the poster's clock (a fake one here), on top of <see cref="EventPoster.Burst"/> per round.
/// </summary>
public sealed class EventRateLimitTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private TestApiServer _api = null!;

    public async Task InitializeAsync() => _api = await TestApiServer.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    /// <summary>Posts one round at the fake clock's time after advancing it; returns the Events it created.</summary>
    private async Task<int> RoundAsync(EventPoster poster, TimeSpan advance, ImmutableArray<Diagnostic> diagnostics)
    {
        _clock.Advance(advance);
        var before = _api.Objects.List("v1", "Event", "default").Count;
        await poster.PostAsync(diagnostics, static (ns, name) => new V1Ingress { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Uid = "uid-" + name } }, default);
        return _api.Objects.List("v1", "Event", "default").Count - before;
    }

    private static ImmutableArray<Diagnostic> Broken(int ingresses) =>
        [.. Enumerable.Range(0, ingresses).Select(i => new Diagnostic("ALB2903", Severity.Error, $"Ingress default/i{i:D3}", "metadata.annotations[x]", "bad"))];

    [Fact]
    public async Task Posts_at_most_120_events_in_any_minute_and_more_as_the_oldest_leave_the_window()
    {
        var poster = new EventPoster(new KubeApi(_api.CreateClient()), "alb-0", _clock);
        var few = Broken(10);
        var many = Broken(200); // the first ten are the same diagnostics as "few"

        Assert.Equal(10, await RoundAsync(poster, TimeSpan.Zero, few)); // t = 0 s
        int[] posted =
        [
            await RoundAsync(poster, TimeSpan.FromSeconds(30), many), // t = 30 s
            await RoundAsync(poster, TimeSpan.FromSeconds(1), many),
            await RoundAsync(poster, TimeSpan.FromSeconds(1), many),
            await RoundAsync(poster, TimeSpan.FromSeconds(1), many),
            await RoundAsync(poster, TimeSpan.FromSeconds(1), many), // t = 34 s: 120 in the last minute
            await RoundAsync(poster, TimeSpan.FromSeconds(1), many),
            await RoundAsync(poster, TimeSpan.FromSeconds(24), many), // t = 59 s: the first ten are still in the window
        ];
        Assert.Equal([25, 25, 25, 25, 10, 0, 0], posted);

        // t = 61 s: only the ten posted at 0 s have left the window, so ten more (not a whole new minute's worth).
        Assert.Equal(10, await RoundAsync(poster, TimeSpan.FromSeconds(2), many));
        Assert.Equal(0, await RoundAsync(poster, TimeSpan.FromSeconds(1), many));

        // t = 91 s: the 25 posted at 30 s have left it.
        Assert.Equal(25, await RoundAsync(poster, TimeSpan.FromSeconds(29), many));
        Assert.Equal(155, poster.Posted);
    }
}
