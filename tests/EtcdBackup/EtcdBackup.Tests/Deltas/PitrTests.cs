using System.Globalization;
using EtcdBackup.Tests.Fixtures;
using Xunit;

namespace EtcdBackup.Tests.Deltas;

/// <summary>
/// Point-in-time restore against real parts: <c>run</c> with 1 s deltas over a real etcd 3.4 while keys are written
/// (puts, deletes, multi-key transactions), then restores to several revisions and times, each read back and compared
/// with the source read at that revision; a missing delta, a compaction during <c>run</c>, and bad points.
/// </summary>
public sealed class PitrTests(BackupLab lab) : IClassFixture<BackupLab>
{
    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Restores_to_revisions_and_times_read_back_the_source_state_at_each_point_and_a_gap_is_refused()
    {
        var local = lab.Dir("pitr");
        string[] key = ["--encryption-key-file", lab.KeyFile];
        await lab.Etcd.PutAsync("/pitr/before", "0");
        await using var daemon = PitrLab.StartRun(lab, local, "pitr", ["--compression", "zstd", .. key]);
        await PitrLab.WaitAsync(() => PitrLab.Fulls(local).Count == 1, daemon);

        // Each point's time is taken just before the next step writes: 500 ms after its own writes, so the watch has
        // delivered them by then (even on a busy machine) and has not yet seen the next ones.
        var points = new List<(long Revision, DateTimeOffset Time)>();
        var revisions = new List<long>();
        for (var step = 0; step < 6; step++)
        {
            if (step > 0)
            {
                points.Add((revisions[^1], DateTimeOffset.UtcNow));
            }

            switch (step % 3)
            {
                case 0:
                    for (var k = 0; k < 5; k++)
                    {
                        await lab.Etcd.PutAsync($"/pitr/{step}/{k}", $"v{step}");
                    }

                    break;
                case 1:
                    await lab.Etcd.DeleteAsync($"/pitr/{step - 1}/", prefix: true);
                    await lab.Etcd.PutAsync("/pitr/before", $"changed at {step}");
                    break;
                default:
                    await lab.Etcd.TxnPutAsync(Enumerable.Range(0, 50).Select(k => $"/pitr/txn{step}/{k:D2}"), $"t{step}");
                    break;
            }

            revisions.Add((await lab.Etcd.ReadAllAsync()).Revision);
            await Task.Delay(500);
        }

        points.Add((revisions[^1], DateTimeOffset.UtcNow));

        var last = points[^1].Revision;
        await PitrLab.WaitAsync(() => PitrLab.DeltaReach(local) >= last, daemon);
        await PitrLab.StopAsync(daemon);
        Assert.True(Directory.EnumerateFiles(local, "etcd-delta-*.delta.zst.enc").Count() >= 2, daemon.Output());

        string[] localOnly = ["--local-dir", local, .. key];
        await PitrLab.AssertRestoresAsync(lab, localOnly, points[1].Revision, "--to-revision", $"{points[1].Revision}");
        await PitrLab.AssertRestoresAsync(lab, localOnly, points[3].Revision - 1, "--to-revision", $"{points[3].Revision - 1}");
        await PitrLab.AssertRestoresAsync(lab, localOnly, points[2].Revision, "--to-time", Iso(points[2].Time));
        await PitrLab.AssertRestoresAsync(lab, localOnly, points[4].Revision, "--to-time", Iso(points[4].Time));
        string[] s3Only = ["--s3-url", $"s3://{S3Server.Bucket}/pitr", "--s3-endpoint", lab.S3.Endpoint, .. key];
        await PitrLab.AssertRestoresAsync(lab, s3Only, last, "--to-revision", $"{last}");

        var (listExit, list, _) = await BackupCli.RunAsync(null, ["list", .. localOnly]);
        Assert.Equal(0, listExit);
        Assert.Contains("deltas", list, StringComparison.Ordinal);
        var (okExit, ok, okErr) = await BackupCli.RunAsync(null, ["verify", "latest", "--deep", .. localOnly]);
        Assert.True(okExit == 0, ok + okErr);
        Assert.Contains("gapless", ok, StringComparison.Ordinal);

        // A delta lost in the middle of the chain: verify fails and a restore past it is refused, naming the gap.
        var deltas = Directory.EnumerateFiles(local, "etcd-delta-*.delta.zst.enc").Order(StringComparer.Ordinal).ToList();
        File.Delete(deltas[deltas.Count / 2]);
        var (badExit, bad, _) = await BackupCli.RunAsync(null, ["verify", "latest", "--deep", .. localOnly]);
        Assert.Equal(1, badExit);
        Assert.Contains("missing", bad, StringComparison.Ordinal);
        var (gapExit, gap, _) = await PitrLab.RestoreAsync(lab, localOnly, "--to-revision", $"{last}");
        Assert.Equal(1, gapExit);
        Assert.Contains($"--to-revision: revision {last} is past a gap in the delta chain", gap, StringComparison.Ordinal);

        // Bad points, each naming its flag.
        var (bothExit, both, _) = await PitrLab.RestoreAsync(lab, localOnly, "--to-revision", "5", "--to-time", Iso(points[0].Time));
        Assert.Equal(2, bothExit);
        Assert.Contains("--to-revision/--to-time: give one point, not both", both, StringComparison.Ordinal);
        var (earlyExit, early, _) = await PitrLab.RestoreAsync(lab, localOnly, "--to-revision", "1");
        Assert.Equal(1, earlyExit);
        Assert.Contains("--to-revision: revision 1 is before the oldest full snapshot", early, StringComparison.Ordinal);
        var (lateExit, late, _) = await PitrLab.RestoreAsync(lab, s3Only, "--to-time", Iso(DateTimeOffset.UtcNow.AddHours(1)));
        Assert.Equal(1, lateExit);
        Assert.Contains("is after the newest delta", late, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compaction_past_a_stopped_chain_ends_it_with_a_new_full_snapshot_and_retention_takes_the_old_chain_whole()
    {
        var local = lab.Dir("compacted");
        await using (var first = PitrLab.StartRun(lab, local, null, "--keep-last", "1"))
        {
            await PitrLab.WaitAsync(() => PitrLab.Fulls(local).Count == 1, first);
            var written = await lab.Etcd.PutAsync("/compacted/a", "1");
            await PitrLab.WaitAsync(() => PitrLab.DeltaReach(local) >= written, first);
            await PitrLab.StopAsync(first);
        }

        var oldBase = Path.GetFileNameWithoutExtension(PitrLab.Fulls(local)[0]);
        // etcd keeps the compaction revision itself: two writes put the chain's next revision behind it.
        await lab.Etcd.PutAsync("/compacted/b", "2");
        await lab.Etcd.PutAsync("/compacted/b", "2b");
        await lab.Etcd.CompactAsync();

        var admin = Edge.Testing.FreePort.Next();
        await using var second = PitrLab.StartRun(lab, local, null, admin, "--keep-last", "1");
        await PitrLab.WaitAsync(() => second.Stderr.Concat(second.Stdout).Any(l => l.Contains("ended (compacted)", StringComparison.Ordinal)), second);
        await PitrLab.WaitAsync(() => PitrLab.Fulls(local) is [var only] && !only.Contains(oldBase, StringComparison.Ordinal), second);
        var last = await lab.Etcd.PutAsync("/compacted/c", "3");
        await PitrLab.WaitAsync(() => PitrLab.DeltaReach(local) >= last, second);
        using (var http = new HttpClient())
        {
            var metrics = "";
            await PitrLab.WaitAsync(() => (metrics = http.GetStringAsync($"http://127.0.0.1:{admin}/metrics").Result)
                .Contains($"etcd_backup_delta_last_revision {last}", StringComparison.Ordinal), second);
            Assert.Contains("etcd_backup_delta_chain_breaks_total{reason=\"compacted\"} 1", metrics, StringComparison.Ordinal);
            Assert.Matches("etcd_backup_deltas_written_total\\{target=\"local:[^\"]+\"\\} [1-9]", metrics);
            Assert.Matches("etcd_backup_delta_lag_seconds \\d", metrics);
        }

        await PitrLab.StopAsync(second);

        // The old chain went with its base: every delta left names the new base.
        var bases = Directory.EnumerateFiles(local, "etcd-delta-*.json")
            .Select(f => System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(f)).RootElement.GetProperty("base").GetString()).Distinct().ToList();
        Assert.Equal([Path.GetFileNameWithoutExtension(PitrLab.Fulls(local)[0])], bases);
        await PitrLab.AssertRestoresAsync(lab, ["--local-dir", local], last, "--to-revision", $"{last}");
    }
}
