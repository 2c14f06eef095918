using System.Text.Json;
using Edge.Testing;
using Xunit;
using static VipDaemon.Tests.Failover.Vrrp;

namespace VipDaemon.Tests.Failover;

/// <summary>Health trackers moving the VIP, notify hooks in order, /status and /metrics, SIGHUP reload.</summary>
public sealed class TrackingTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

    [SkippableFact]
    public async Task A_failing_weight_0_check_moves_the_vip_and_hooks_run_in_order()
    {
        var why = NetnsLab.Unavailable();
        Skip.If(why is not null, why);
        await using var lab = NetnsLab.Create(2);
        var work = Directory.CreateTempSubdirectory("vipd-track-").FullName;
        var flag = Path.Combine(work, "healthy");
        var log = Path.Combine(work, "notify.log");
        var hook = Path.Combine(work, "notify.sh");
        File.WriteAllText(flag, "");
        File.WriteAllText(hook, $"#!/bin/sh\necho \"$1 $2 $3 $4\" >> {log}\n");
        File.SetUnixFileMode(hook, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var node1 = StartVipd(lab, 1, 150, extra: $$"""
                track:
                  exec: [{name: flag, command: [/bin/sh, -c, "test -e {{flag}}"], interval: 100ms, timeout: 1s, weight: 0}]
                notify: {command: {{hook}}, timeout: 2s}
            """);
        StartVipd(lab, 2, 100);
        Assert.NotNull(await NetnsLab.WaitAsync(() => lab.Holders(Vip) is [1], Limit));

        File.Delete(flag);
        Assert.NotNull(await NetnsLab.WaitAsync(() => lab.Holders(Vip) is [2], Limit));
        var (_, statusJson, _) = lab.Exec(1, "curl", "-s", "http://127.0.0.1:9105/status");
        var status = JsonDocument.Parse(statusJson).RootElement[0];
        Assert.Equal("Fault", status.GetProperty("state").GetString());

        File.WriteAllText(flag, "");
        Assert.NotNull(await NetnsLab.WaitAsync(() => lab.Holders(Vip) is [1], Limit));
        await Task.Delay(300);
        var lines = File.ReadAllLines(log);
        Assert.Equal(["INSTANCE VI_1 BACKUP 150", "INSTANCE VI_1 MASTER 150", "INSTANCE VI_1 FAULT 150", "INSTANCE VI_1 BACKUP 150", "INSTANCE VI_1 MASTER 150"], lines);

        var (_, metrics, _) = lab.Exec(1, "curl", "-s", "http://127.0.0.1:9105/metrics");
        Assert.Contains("vipd_state{instance=\"VI_1\"} 2", metrics, StringComparison.Ordinal);
        Assert.Contains("vipd_transitions_total{instance=\"VI_1\",to=\"fault\",cause=\"Tracker\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("vipd_tracker_healthy{instance=\"VI_1\",tracker=\"flag\"} 1", metrics, StringComparison.Ordinal);
        Assert.Matches("vipd_adverts_sent_total\\{instance=\"VI_1\"\\} [1-9]", metrics);
        Directory.Delete(work, recursive: true);
        _ = node1;
    }

    [SkippableFact]
    public async Task Sighup_reload_keeps_an_unchanged_instance_and_applies_a_new_priority()
    {
        var why = NetnsLab.Unavailable();
        Skip.If(why is not null, why);
        await using var lab = NetnsLab.Create(2);
        var node1 = StartVipd(lab, 1, 150);
        StartVipd(lab, 2, 100);
        Assert.NotNull(await NetnsLab.WaitAsync(() => lab.Holders(Vip) is [1], Limit));

        node1.Signal(1); // unchanged config: nothing moves
        await Task.Delay(1000);
        Assert.Equal([1], lab.Holders(Vip));
        Assert.DoesNotContain(node1.Stderr, l => l.Contains("Master -> Backup", StringComparison.Ordinal));

        var config = Path.Combine(Path.GetTempPath(), $"{lab.Node(1)}-vipd.yaml");
        File.WriteAllText(config, File.ReadAllText(config).Replace("priority: 150", "priority: 50", StringComparison.Ordinal));
        node1.Signal(1);
        Assert.NotNull(await NetnsLab.WaitAsync(() => lab.Holders(Vip) is [2], Limit));

        File.WriteAllText(config, "instances: [{name: broken}]");
        node1.Signal(1); // a bad config is refused; the running one stays
        Assert.NotNull(await NetnsLab.WaitAsync(() => node1.Stderr.Any(l => l.Contains("new configuration rejected", StringComparison.Ordinal)), Limit)); // on a busy machine the line can take longer than a fixed wait
        await Task.Delay(300);
        Assert.False(node1.HasExited);
    }
}
