using Edge.Testing;
using EtcdBackup.Tests.Fixtures;
using Xunit;

namespace EtcdBackup.Tests.Cli;

/// <summary>Bad input: one clear line naming the flag, a non-zero exit, nothing touched. No etcd needed.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("etcd-backup-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("--schedule", "61 * * * *", "--schedule: \"61 * * * *\" is not a cron schedule")]
    [InlineData("--cacert", "/nonexistent/ca.crt", "--cacert: file /nonexistent/ca.crt does not exist")]
    [InlineData("--keep-last", "0", "--keep-last: \"0\" is not a whole number in 1..100000")]
    [InlineData("--bogus", "1", "--bogus: unknown flag for run")]
    [InlineData("--s3-secret-access-key", "x", "--s3-secret-access-key: secrets are never taken from the command line")]
    public async Task Bad_flags_get_one_line_and_exit_2(string flag, string value, string message)
    {
        var (exit, stdout, stderr) = await BackupCli.RunAsync(null, "run", "--local-dir", _dir, flag, value);

        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.StartsWith(message, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n'));
    }

    [Fact]
    public async Task A_config_file_error_names_the_file_and_path()
    {
        var config = Path.Combine(_dir, "backup.yaml");
        await File.WriteAllTextAsync(config, "localDir: /tmp/x\nretention:\n  keepLast: many\n");
        var (exit, _, stderr) = await BackupCli.RunAsync(null, "snapshot", "--config", config);

        Assert.Equal(2, exit);
        Assert.Contains($"{config}: retention.keepLast: \"many\" is not a whole number", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restore_refuses_a_data_dir_that_is_not_empty_and_leaves_it_alone()
    {
        var dataDir = Path.Combine(_dir, "member");
        Directory.CreateDirectory(Path.Combine(dataDir, "member", "snap"));
        await File.WriteAllTextAsync(Path.Combine(dataDir, "member", "snap", "db"), "precious");

        var (exit, _, stderr) = await BackupCli.RunAsync(null, "restore", "latest", "--data-dir", dataDir, "--name", "m1",
            "--initial-cluster", "m1=http://127.0.0.1:2380", "--local-dir", _dir);

        Assert.Equal(2, exit);
        Assert.Contains("exists and is not empty", stderr, StringComparison.Ordinal);
        Assert.Equal("precious", await File.ReadAllTextAsync(Path.Combine(dataDir, "member", "snap", "db")));
    }

    [Fact]
    public async Task Restore_refuses_an_initial_cluster_without_this_member()
    {
        var (exit, _, stderr) = await BackupCli.RunAsync(null, "restore", "latest", "--data-dir", Path.Combine(_dir, "new"), "--name", "m2",
            "--initial-cluster", "m1=http://127.0.0.1:2380", "--local-dir", _dir);

        Assert.Equal(2, exit);
        Assert.Contains("--initial-cluster: has no entry for --name m2", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_command_without_a_target_says_so()
    {
        var (exit, _, stderr) = await BackupCli.RunAsync(null, "snapshot");

        Assert.Equal(2, exit);
        Assert.Equal("--local-dir/--s3-url: give at least one target", stderr.Trim());
    }

    [Fact]
    public async Task Help_lists_every_command_and_setting()
    {
        var (exit, stdout, _) = await BackupCli.RunAsync(null, "--help");

        Assert.Equal(0, exit);
        foreach (var word in new[] { "snapshot", "run", "list", "verify", "restore", "prune", "--endpoints", "--cacert", "--s3-url", "--keep-daily", "Exit codes" })
        {
            Assert.Contains(word, stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_run_holding_the_lock_makes_the_next_exit_4_without_snapshotting()
    {
        var lockFile = Path.Combine(_dir, ".etcd-backup.lock");
        await using var held = new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

        var (exit, _, stderr) = await BackupCli.RunAsync(null, "snapshot", "--local-dir", _dir, "--endpoints", $"http://127.0.0.1:{FreePort.Next()}");

        Assert.Equal(4, exit);
        Assert.Contains("another run holds", stderr, StringComparison.Ordinal);
    }
}
