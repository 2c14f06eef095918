using VipDaemon.Core.Admin;
using Xunit;

namespace VipDaemon.Core.Tests.Admin;

public class MetricsFormatTests
{
    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("*/*", false)]
    [InlineData("text/plain", false)]
    [InlineData("application/openmetrics-text", true)]
    // Prometheus 2.x's scrape request: OpenMetrics first by quality.
    [InlineData("application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2", true)]
    [InlineData("text/plain;q=0.9,application/openmetrics-text;q=0.5", false)]
    [InlineData("text/plain,application/openmetrics-text", false)] // equal quality: the first wins
    [InlineData("application/openmetrics-text;q=abc,text/plain;q=0.1", false)] // an invalid quality drops the candidate
    [InlineData("garbage,application/openmetrics-text;q=0.1", true)]
    public void Chooses_the_format_as_prometheus_net_did(string? accept, bool openMetrics) =>
        Assert.Equal(openMetrics, MetricsFormat.PrefersOpenMetrics(accept));
}
