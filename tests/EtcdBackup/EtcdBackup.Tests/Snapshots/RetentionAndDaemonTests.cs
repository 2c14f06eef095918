using System.Text.RegularExpressions;
using Edge.Testing;
using EtcdBackup.Tests.Fixtures;
using Xunit;

namespace EtcdBackup.Tests.Snapshots;

public sealed class RetentionAndDaemonTests(BackupLab lab) : IClassFixture<BackupLab>
{
    [Fact]
    public async Task Prune_prints_the_plan_with_reasons_then_applies_it_and_a_dry_run_deletes_nothing()
    {
        var local = lab.Dir("prune");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(0, (await BackupCli.RunAsync(null, ["snapshot", .. lab.Flags(local)])).Exit);
        }

        var (dryExit, dry, _) = await BackupCli.RunAsync(null, ["prune", "--dry-run", "--keep-last", "1", .. lab.Flags(local)]);
        Assert.Equal(0, dryExit);
        Assert.Contains("keep   etcd-", dry, StringComparison.Ordinal);
        Assert.Contains("newest verified snapshot; last 1 (1 of 1)", dry, StringComparison.Ordinal);
        Assert.Equal(2, dry.Split('\n').Count(l => l.Contains("would delete", StringComparison.Ordinal) && l.Contains("beyond retention", StringComparison.Ordinal)));
        Assert.Equal(3, Directory.EnumerateFiles(local, "*.json").Count());

        var (exit, output, _) = await BackupCli.RunAsync(null, ["prune", "--keep-last", "1", .. lab.Flags(local)]);
        Assert.Equal(0, exit);
        Assert.Equal(2, output.Split('\n').Count(l => l.TrimStart().StartsWith("delete", StringComparison.Ordinal)));
        Assert.Single(Directory.EnumerateFiles(local, "*.json"));
        Assert.Single(Directory.EnumerateFiles(local, "*.db"));
    }

    [Fact]
    public async Task Prune_deletes_nothing_in_a_target_it_cannot_list()
    {
        var (exit, output, _) = await BackupCli.RunAsync(lab.S3.Credentials(),
            ["prune", "--s3-url", "s3://backups/x", "--s3-endpoint", $"http://127.0.0.1:{FreePort.Next()}", "--keep-last", "1"]);

        Assert.Equal(1, exit);
        Assert.Contains("listing failed (s3_unreachable", output, StringComparison.Ordinal);
        Assert.Contains("nothing is deleted", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_takes_snapshots_on_schedule_applies_retention_and_exposes_metrics()
    {
        var local = lab.Dir("daemon");
        var port = FreePort.Next();
        await using var daemon = BackupCli.Start(lab.S3.Credentials(),
            ["run", "--schedule", "*/1 * * * * *", "--admin", $"127.0.0.1:{port}", "--keep-last", "2", .. lab.Flags(local, "daemon")]);
        using var http = new HttpClient();
        string metrics = "";
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Directory.EnumerateFiles(local, "*.json").Count() < 2 || !metrics.Contains("etcd_backup_snapshots_deleted_total", StringComparison.Ordinal))
        {
            Assert.False(daemon.HasExited, daemon.Output());
            Assert.True(DateTime.UtcNow < deadline, daemon.Output());
            await Task.Delay(200);
            try
            {
                metrics = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
        }

        await Task.Delay(3000);
        metrics = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
        daemon.Signal(15);
        Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        var target = Regex.Escape($"local:{local}");
        Assert.Matches($"etcd_backup_newest_verified_age_seconds{{target=\"{target}\"}} \\d", metrics);
        Assert.Matches("etcd_backup_newest_verified_age_seconds\\{target=\"s3://backups/daemon\"\\} \\d", metrics);
        Assert.Matches($"etcd_backup_last_success_timestamp_seconds{{target=\"{target}\"}} 1\\d{{9}}", metrics);
        Assert.Matches($"etcd_backup_snapshots_kept{{target=\"{target}\"}} 2", metrics);
        Assert.Matches("etcd_backup_runs_total\\{result=\"success\"\\} [2-9]", metrics);
        Assert.True(Directory.EnumerateFiles(local, "*.json").Count() <= 3, "retention keeps 2 (3 while a run is between snapshot and prune)");
    }
}
