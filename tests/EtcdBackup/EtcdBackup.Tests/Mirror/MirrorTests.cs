using Edge.Testing;
using EtcdBackup.Tests.Fixtures;

namespace EtcdBackup.Tests.Mirror;

/// <summary>
/// <c>etcd-backup mirror</c> against real etcd clusters on loopback: the copy and the live changes, kill -9 at random
/// points, compaction while stopped, the destination down, a source member killed, and every bad input.
/// </summary>
public sealed class MirrorTests(MirrorLab lab) : IClassFixture<MirrorLab>
{
    [Fact]
    public async Task Copies_thousands_of_keys_then_follows_live_puts_deletes_and_big_transactions()
    {
        await lab.Source.LoadAsync(3000, 200, prefix: "/t1/");
        var flags = lab.Flags("/t1/", "--exclude", "/t1/skip/");
        await using var mirror = BackupCli.Start(null, ["mirror", .. flags]);
        for (var i = 0; i < 200; i++)
        {
            await lab.Source.PutAsync($"/t1/live/{i}", $"v{i}"); // during the copy and after it
        }

        await WaitForOutputAsync(mirror, "following the source from revision");
        await lab.Source.PutAsync("/t1/skip/x", "excluded");
        await lab.Source.PutAsync("/t1outside", "not under the prefix");
        await lab.Source.DeleteAsync("/t1/001", prefix: true);
        await lab.Source.TxnPutAsync(Enumerable.Range(0, 120).Select(i => $"/t1/txn/{i:D3}"), "one revision");
        await lab.Source.PutAsync("/t1/live/0", "changed");

        foreach (var part in new[] { "/t1/0", "/t1/live/", "/t1/txn/" })
        {
            await MirrorLab.WaitEqualAsync(lab.Source, lab.Dest, part, mirror);
        }

        Assert.Empty(await lab.Dest.ReadPrefixAsync("/t1/skip/"));
        Assert.Empty(await lab.Dest.ReadPrefixAsync("/t1outside"));
        Assert.Equal(2900, (await lab.Dest.ReadPrefixAsync("/t1/0")).Count);
        var (exit, stdout, stderr) = await BackupCli.RunAsync(null, ["mirror", "verify", .. flags]);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("OK   at source revision", stdout, StringComparison.Ordinal);

        var metrics = await new HttpClient().GetStringAsync($"http://{flags[Array.IndexOf(flags, "--admin") + 1]}/metrics");
        Assert.Contains("etcd_mirror_resyncs_total{reason=\"initial\"} 1", metrics, StringComparison.Ordinal);
        Assert.Matches(@"etcd_mirror_applied_revision [1-9]", metrics);
        Assert.Matches(@"etcd_mirror_applied_events_total [1-9]", metrics);
        Assert.Matches(@"etcd_mirror_transaction_duration_seconds_count [1-9]", metrics);

        mirror.Signal(15);
        Assert.Equal(0, await mirror.WaitForExitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Killed_at_random_points_and_restarted_ends_equal_and_then_resumes_without_a_copy()
    {
        await lab.Source.LoadAsync(4000, 512, prefix: "/t2/");
        var flags = lab.Flags("/t2/"); // each start below takes a new admin port: a killed mirror's port can be taken meanwhile
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                await lab.Source.PutAsync($"/t2/w/{i % 300}", $"v{i}");
                if (i % 7 == 0)
                {
                    await lab.Source.DeleteAsync($"/t2/{i % 4000:D5}");
                }
            }
        });

        var seed = Environment.TickCount;
        var random = new Random(seed);
        for (var kill = 0; kill < 4; kill++)
        {
            await using var victim = BackupCli.Start(null, ["mirror", .. lab.Flags("/t2/")]);
            await Task.Delay(random.Next(150, 1500));
            victim.Signal(9);
            await victim.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        await using (var last = BackupCli.Start(null, ["mirror", .. lab.Flags("/t2/")]))
        {
            await Task.Delay(500);
            await stop.CancelAsync();
            await writer;
            await MirrorLab.WaitEqualAsync(lab.Source, lab.Dest, "/t2/", last);
            var (exit, stdout, stderr) = await BackupCli.RunAsync(null, ["mirror", "verify", .. flags]);
            Assert.True(exit == 0, $"seed {seed}\n{stdout}\n{stderr}");
            last.Signal(15);
            Assert.Equal(0, await last.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        }

        await using var resumed = BackupCli.Start(null, ["mirror", .. lab.Flags("/t2/")]);
        await WaitForOutputAsync(resumed, "following the source from revision");
        await lab.Source.PutAsync("/t2/w/after", "resumed");
        await MirrorLab.WaitEqualAsync(lab.Source, lab.Dest, "/t2/w/", resumed);
        Assert.DoesNotContain("resync", Output(resumed), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Source_compacted_past_the_resume_point_while_stopped_resyncs_and_carries_the_deletions()
    {
        await lab.Source.LoadAsync(500, 100, prefix: "/t3/");
        var flags = lab.Flags("/t3/");
        await using (var first = BackupCli.Start(null, ["mirror", .. lab.Flags("/t3/")]))
        {
            await MirrorLab.WaitEqualAsync(lab.Source, lab.Dest, "/t3/", first);
            first.Signal(15);
            await first.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        await lab.Source.DeleteAsync("/t3/001", prefix: true);
        await lab.Source.PutAsync("/t3/new", "after the stop");
        await lab.Source.CompactAsync();
        var (statusExit, status, _) = await BackupCli.RunAsync(null, ["mirror", "status", .. flags]);
        Assert.Equal(1, statusExit);
        Assert.Contains("compacted past the resume point", status, StringComparison.Ordinal);

        await using var second = BackupCli.Start(null, ["mirror", .. lab.Flags("/t3/")]);
        await MirrorLab.WaitEqualAsync(lab.Source, lab.Dest, "/t3/", second);
        await WaitForOutputAsync(second, "resync (compacted) done");
        Assert.Contains("1 keys put, 100 destination keys the source no longer has deleted, 400 unchanged", Output(second), StringComparison.Ordinal);
        Assert.Equal(0, (await BackupCli.RunAsync(null, ["mirror", "status", .. flags])).Exit);
    }

    [Fact]
    public async Task Destination_down_for_a_while_catches_up_when_it_is_back()
    {
        var flags = lab.Flags("/t4/");
        await lab.Source.PutAsync("/t4/first", "1");
        await using var mirror = BackupCli.Start(null, ["mirror", .. flags]);
        await MirrorLab.WaitEqualAsync(lab.Source, lab.Dest, "/t4/", mirror);

        await lab.Dest.KillAsync();
        for (var i = 0; i < 300; i++)
        {
            await lab.Source.PutAsync($"/t4/k{i}", $"v{i}");
        }

        await lab.Source.DeleteAsync("/t4/first");
        await Task.Delay(2000);
        await lab.Dest.RestartAsync();
        await MirrorLab.WaitEqualAsync(lab.Source, lab.Dest, "/t4/", mirror);
        var metrics = await new HttpClient().GetStringAsync($"http://{flags[Array.IndexOf(flags, "--admin") + 1]}/metrics");
        Assert.Matches("etcd_mirror_errors_total\\{side=\"destination\"\\} [1-9]", metrics);
        Assert.DoesNotContain("reason=\"compacted\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Source_member_killed_mid_stream_another_member_continues()
    {
        var cluster = await EtcdServer.StartClusterAsync(Path.Combine(lab.Root, "three"), 3);
        try
        {
            var flags = MirrorLab.Flags(cluster[0], lab.Dest, "/t5/");
            flags[1] = string.Join(",", cluster.Select(m => m.Endpoint));
            await cluster[0].PutAsync("/t5/before", "1");
            await using var mirror = BackupCli.Start(null, ["mirror", .. flags]);
            await MirrorLab.WaitEqualAsync(cluster[0], lab.Dest, "/t5/", mirror);
            var line = await WaitForOutputAsync(mirror, "change stream from ");
            var streaming = cluster.Single(m => line.Contains(m.Endpoint, StringComparison.Ordinal));
            var other = cluster.First(m => m != streaming);
            for (var i = 0; i < 100; i++)
            {
                await other.PutAsync($"/t5/k{i}", "before the kill");
            }

            await streaming.KillAsync();
            for (var i = 50; i < 250; i++)
            {
                await PutRetryingAsync(other, $"/t5/k{i}", "after the kill"); // a leader killed: the election takes a moment
            }

            await MirrorLab.WaitEqualAsync(other, lab.Dest, "/t5/", mirror);
        }
        finally
        {
            foreach (var member in cluster)
            {
                await member.DisposeAsync();
            }
        }
    }

    public static TheoryData<string[], string> BadInput => new()
    {
        { ["--prefix", "/a/", "--prefix", "/a/b/"], "--prefix: \"/a/\" and \"/a/b/\" overlap" },
        { ["--prefix", "/a/", "--exclude", "/b/"], "--exclude: \"/b/\" is outside every --prefix" },
        { ["--prefix", "/a/", "--rev-key", "/a/rev"], "--rev-key: \"/a/rev\" is inside the mirrored range" },
        { ["--prefix", "/edge"], "--rev-key (default): \"/edge-mirror/" },
        { ["--dest-cert", "/etc/hostname"], "--dest-cert/--dest-key: give both" },
        { ["--dest-endpoints", "ftp://x"], "--dest-endpoints: \"ftp://x\" is not an etcd client URL" },
        { [], "--dest-endpoints: required for mirror" },
        { ["same"], "--dest-endpoints: http://127.0.0.1:" },
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public async Task Rejects_bad_input_with_an_error_naming_the_flag(string[] more, string error)
    {
        string[] dest = more is ["same"] ? ["--dest-endpoints", lab.Source.Endpoint]
            : more.Contains("--dest-endpoints") || more.Length == 0 ? [] : ["--dest-endpoints", lab.Dest.Endpoint];
        var (exit, stdout, stderr) = await BackupCli.RunAsync(null, ["mirror", "--endpoints", lab.Source.Endpoint, .. dest, .. more.Where(m => m != "same")]);
        Assert.True(exit == 2, $"{exit}\n{stdout}\n{stderr}");
        Assert.Contains(error, stderr, StringComparison.Ordinal);
    }

    private static async Task PutRetryingAsync(EtcdServer member, string key, string value)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await member.PutAsync(key, value);
                return;
            }
            catch (Grpc.Core.RpcException) when (attempt < 50)
            {
                await Task.Delay(100);
            }
        }
    }

    private static string Output(TestProcess p) => string.Join("\n", p.Stdout.Concat(p.Stderr));

    private static async Task<string> WaitForOutputAsync(TestProcess p, string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !p.HasExited)
        {
            if (p.Stdout.Concat(p.Stderr).LastOrDefault(l => l.Contains(text, StringComparison.Ordinal)) is { } line)
            {
                return line;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"no \"{text}\" in the output:\n{p.Output()}");
        return "";
    }
}
