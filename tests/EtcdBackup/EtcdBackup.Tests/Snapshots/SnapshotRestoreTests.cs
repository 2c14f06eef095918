using System.Text.Json;
using EtcdBackup.Tests.Fixtures;
using Xunit;

namespace EtcdBackup.Tests.Snapshots;

/// <summary>
/// The whole job against real parts: a loaded etcd 3.4, snapshots into a local dir and the S3 server, restore with
/// etcd's own tool into a new data dir, an etcd started on it, every key read back.
/// </summary>
public sealed class SnapshotRestoreTests(BackupLab lab) : IClassFixture<BackupLab>
{
    private static bool _loaded;

    private async Task LoadOnceAsync()
    {
        if (!_loaded)
        {
            await lab.Etcd.LoadAsync(count: 3000, valueSize: 256);
            _loaded = true;
        }
    }

    [Theory]
    [InlineData("plain", false)]
    [InlineData("zstd-aes", true)]
    public async Task Snapshot_to_local_and_s3_then_restore_from_s3_reads_every_key_back(string label, bool encode)
    {
        await LoadOnceAsync();
        var local = lab.Dir($"local-{label}");
        var env = lab.S3.Credentials();
        string[] encoding = encode ? ["--compression", "zstd", "--encryption-key-file", lab.KeyFile] : [];

        var (exit, stdout, stderr) = await BackupCli.RunAsync(env, ["snapshot", .. lab.Flags(local, label, encoding)]);
        Assert.True(exit == 0, $"{stdout}\n{stderr}");
        Assert.Contains("stored in local:", stdout, StringComparison.Ordinal);
        Assert.All(lab.S3.PartPayloadHashes(), h => Assert.Matches("^[0-9a-f]{64}$", h)); // plain HTTP: bodies signed

        var (listExit, listJson, _) = await BackupCli.RunAsync(env, ["list", "--output", "json", .. lab.Flags(local, label, encoding)]);
        Assert.Equal(0, listExit);
        var targets = JsonDocument.Parse(listJson).RootElement.EnumerateArray().ToList();
        Assert.Equal(2, targets.Count);
        foreach (var target in targets)
        {
            var snapshot = Assert.Single(target.GetProperty("snapshots").EnumerateArray());
            Assert.Equal("complete", snapshot.GetProperty("state").GetString());
            Assert.Equal(encode ? "zstd" : "none", snapshot.GetProperty("compression").GetString());
        }

        var name = targets[0].GetProperty("snapshots")[0].GetProperty("name").GetString()!;
        Assert.Contains(lab.S3.ObjectKeys(), k => k == $"{label}/{name}.json");

        // Restore from S3 only (no local dir given), as on a fresh machine after a disaster.
        var dataDir = Path.Combine(lab.Root, $"restored-{label}");
        var (rExit, rOut, rErr) = await BackupCli.RunAsync(env,
        [
            "restore", "latest", "--data-dir", dataDir, "--name", "m1", "--initial-cluster", "m1=http://127.0.0.1:2380",
            "--s3-url", $"s3://{S3Server.Bucket}/{label}", "--s3-endpoint", lab.S3.Endpoint, .. (encode ? ["--encryption-key-file", lab.KeyFile] : Array.Empty<string>()),
        ]);
        Assert.True(rExit == 0, $"{rOut}\n{rErr}");
        Assert.Contains("etcdctl snapshot restore", rOut, StringComparison.Ordinal);

        var original = await lab.Etcd.ReadAllAsync();
        await using var restored = await EtcdServer.StartAsync(dataDir, "m1", "m1=http://127.0.0.1:2380");
        var back = await restored.ReadAllAsync();
        Assert.Equal(3000, back.Keys.Count);
        Assert.Equal(original.Keys, back.Keys);
        Assert.Equal(original.Revision, back.Revision);
    }

    [Fact]
    public async Task Deep_verify_restores_into_a_temporary_etcd_and_checks_revision_and_keys()
    {
        await LoadOnceAsync();
        var local = lab.Dir("local-deep");
        var (exit, stdout, stderr) = await BackupCli.RunAsync(null, ["snapshot", "--verify-after-snapshot", .. lab.Flags(local)]);
        Assert.True(exit == 0, $"{stdout}\n{stderr}");
        Assert.Contains("verified: restored with etcdctl snapshot restore and served by a temporary etcd", stderr, StringComparison.Ordinal);

        var (vExit, vOut, vErr) = await BackupCli.RunAsync(null, ["verify", "latest", "--deep", .. lab.Flags(local)]);
        Assert.True(vExit == 0, $"{vOut}\n{vErr}");
        Assert.Matches(@"OK   local:.* revision \d+, 3000 keys", vOut);
        Assert.Empty(Directory.EnumerateDirectories(Path.GetTempPath(), "etcd-backup-verify-*"));
    }

    [Fact]
    public async Task Reads_s3_credentials_from_a_shared_credentials_file_as_the_aws_cli_does()
    {
        await LoadOnceAsync();
        var file = Path.Combine(lab.Root, "aws-credentials");
        await File.WriteAllTextAsync(file, $"[backup]\naws_access_key_id = {lab.S3.AccessKey}\naws_secret_access_key = {lab.S3.SecretKey}\n");
        var env = new Dictionary<string, string> { ["AWS_SHARED_CREDENTIALS_FILE"] = file, ["AWS_PROFILE"] = "backup", ["AWS_REGION"] = "us-east-1" };

        var (exit, stdout, stderr) = await BackupCli.RunAsync(env, ["snapshot", .. lab.Flags(null, "profile")]);

        Assert.True(exit == 0, $"{stdout}\n{stderr}");
        Assert.Contains(lab.S3.ObjectKeys(), k => k.StartsWith("profile/", StringComparison.Ordinal) && k.EndsWith(".json", StringComparison.Ordinal));
        Assert.DoesNotContain(lab.S3.SecretKey, stdout + stderr, StringComparison.Ordinal);
    }
}
