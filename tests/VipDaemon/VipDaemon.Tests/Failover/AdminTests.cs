using System.Text.Json;
using Edge.Testing;
using Xunit;
using static VipDaemon.Tests.Failover.Vrrp;

namespace VipDaemon.Tests.Failover;

/// <summary>
/// The admin listener of a running vipd: /healthz, /metrics, /status and <c>vipd status</c>, which reads /status back.
/// Run against the Native AOT publish too (VIPD_BIN, scripts/test.sh): the JSON and the metrics must survive trimming.
/// </summary>
public sealed class AdminTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

    [SkippableFact]
    public async Task A_master_answers_healthz_metrics_and_status()
    {
        var why = NetnsLab.Unavailable();
        Skip.If(why is not null, why);
        await using var lab = NetnsLab.Create(1);
        StartVipd(lab, 1, 150);
        Assert.NotNull(await NetnsLab.WaitAsync(() => lab.Holders(Vip) is [1], Limit));

        var (_, health, _) = lab.Exec(1, "curl", "-s", "http://127.0.0.1:9105/healthz");
        Assert.Equal("ok\n", health);

        var (_, metrics, _) = lab.Exec(1, "curl", "-s", "http://127.0.0.1:9105/metrics");
        Assert.Contains("# TYPE vipd_state gauge", metrics, StringComparison.Ordinal);
        Assert.Contains("vipd_state{instance=\"VI_1\"} 2", metrics, StringComparison.Ordinal);
        Assert.Contains("vipd_effective_priority{instance=\"VI_1\"} 150", metrics, StringComparison.Ordinal);
        Assert.Contains("vipd_tracker_healthy{instance=\"VI_1\",tracker=\"eth0\"} 1", metrics, StringComparison.Ordinal);
        Assert.Matches("process_working_set_bytes [1-9]", metrics);

        var (_, json, _) = lab.Exec(1, "curl", "-s", "http://127.0.0.1:9105/status");
        var status = JsonDocument.Parse(json).RootElement[0];
        Assert.Equal("VI_1", status.GetProperty("name").GetString());
        Assert.Equal("Master", status.GetProperty("state").GetString());
        Assert.Equal(150, status.GetProperty("priority").GetInt32());

        var (code, table, errors) = ExecIn(lab, 1, "status");
        Assert.True(code == 0, errors);
        Assert.Matches(@"VI_1 +MASTER +150", table);
    }
}
