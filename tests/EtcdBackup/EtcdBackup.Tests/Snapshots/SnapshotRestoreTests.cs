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
    public async Task Server_side_encryption_settings_go_with_every_object_created()
    {
        await LoadOnceAsync();
        var (exit, stdout, stderr) = await BackupCli.RunAsync(lab.S3.Credentials(),
            ["snapshot", .. lab.Flags(null, "sse", "--s3-sse", "aws:kms", "--s3-kms-key-id", "alias/etcd-backup")]);
        Assert.True(exit == 0, $"{stdout}\n{stderr}");

        var writes = lab.S3.Writes().Where(w => w.Path.Contains("/sse/", StringComparison.Ordinal)).ToList();
        var created = writes.Where(w => w.Call != "UploadPart").ToList();
        Assert.Contains(created, w => w.Call == "CreateMultipartUpload" && w.Path.EndsWith(".db", StringComparison.Ordinal));
        Assert.Contains(created, w => w.Call == "PutObject" && w.Path.EndsWith(".json", StringComparison.Ordinal));
        Assert.All(created, w => Assert.Equal(("aws:kms", "alias/etcd-backup"), (w.Sse, w.KmsKeyId)));
        // S3 takes the settings when the upload is created; UploadPart refuses them (SSE-C excepted).
        Assert.All(writes.Where(w => w.Call == "UploadPart"), w => Assert.Equal("-", w.Sse));
    }

    /// <summary>
    /// etcd 3.5+ restores with etcdutl, which Debian's 3.4 does not ship. The etcdutl here is a shim that records its
    /// arguments and hands them to etcd 3.4's etcdctl (the restore flags are the same), so what is checked is real:
    /// the tool is preferred when present, gets the member flags, runs without ETCDCTL_API, and its data dir serves.
    /// A failing etcdutl fails the restore and leaves the data dir empty.
    /// </summary>
    [Fact]
    public async Task Restore_uses_etcdutl_when_present_and_fails_cleanly_when_it_fails()
    {
        await LoadOnceAsync();
        var local = lab.Dir("local-etcdutl");
        var (exit, stdout, stderr) = await BackupCli.RunAsync(null, ["snapshot", .. lab.Flags(local)]);
        Assert.True(exit == 0, $"{stdout}\n{stderr}");

        var log = Path.Combine(lab.Root, "etcdutl.args");
        var shim = Path.Combine(lab.Root, "etcdutl");
        await File.WriteAllTextAsync(shim,
            $"#!/bin/sh\nprintf '%s\\n' \"ETCDCTL_API=${{ETCDCTL_API:-unset}}\" \"$@\" > '{log}'\nETCDCTL_API=3 exec etcdctl \"$@\"\n");
        File.SetUnixFileMode(shim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var dataDir = Path.Combine(lab.Root, "restored-etcdutl");
        // ETCDCTL_API emptied for the run, so what the shim sees is only what etcd-backup set (whatever CI's environment holds).
        var (rExit, rOut, rErr) = await BackupCli.RunAsync(new Dictionary<string, string> { ["ETCDCTL_API"] = "" },
        [
            "restore", "latest", "--data-dir", dataDir, "--name", "m1", "--initial-cluster", "m1=http://127.0.0.1:2380",
            "--initial-cluster-token", "restored", "--local-dir", local, "--etcdutl", shim,
        ]);
        Assert.True(rExit == 0, $"{rOut}\n{rErr}");
        Assert.Contains("etcdutl snapshot restore", rOut, StringComparison.Ordinal);
        var args = await File.ReadAllLinesAsync(log);
        Assert.Equal("ETCDCTL_API=unset", args[0]);
        Assert.Equal(["snapshot", "restore"], args[1..3]);
        Assert.EndsWith(".db", args[3], StringComparison.Ordinal);
        Assert.Equal(["--name", "m1", "--initial-cluster", "m1=http://127.0.0.1:2380", "--initial-advertise-peer-urls",
            "http://127.0.0.1:2380", "--initial-cluster-token", "restored"], args[6..]);
        await using (var restored = await EtcdServer.StartAsync(dataDir, "m1", "m1=http://127.0.0.1:2380"))
        {
            Assert.Equal(3000, (await restored.ReadAllAsync()).Keys.Count);
        }

        await File.WriteAllTextAsync(shim, "#!/bin/sh\necho 'Error: snapshot file is corrupt' >&2\nexit 5\n");
        var failedDir = Path.Combine(lab.Root, "restored-etcdutl-failed");
        var (fExit, fOut, fErr) = await BackupCli.RunAsync(null,
        [
            "restore", "latest", "--data-dir", failedDir, "--name", "m1", "--initial-cluster", "m1=http://127.0.0.1:2380",
            "--local-dir", local, "--etcdutl", shim,
        ]);
        Assert.True(fExit == 1, $"{fExit}\n{fOut}\n{fErr}");
        Assert.Contains("etcdutl snapshot restore failed (exit 5): Error: snapshot file is corrupt", fOut + fErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(failedDir) && Directory.EnumerateFileSystemEntries(failedDir).Any());
    }

    [Fact]
    public async Task Deep_verify_restores_into_a_temporary_etcd_and_checks_revision_and_keys()
    {
        await LoadOnceAsync();
        var local = lab.Dir("local-deep");
        // A temporary directory of the test's own (TMPDIR): other tests verify at the same time, and their temporary
        // etcd directories in the shared /tmp made this check race.
        var tmp = lab.Dir("tmp-deep");
        var env = new Dictionary<string, string> { ["TMPDIR"] = tmp };
        var (exit, stdout, stderr) = await BackupCli.RunAsync(env, ["snapshot", "--verify-after-snapshot", .. lab.Flags(local)]);
        Assert.True(exit == 0, $"{stdout}\n{stderr}");
        Assert.Contains("verified: restored with etcdctl snapshot restore and served by a temporary etcd", stderr, StringComparison.Ordinal);

        var (vExit, vOut, vErr) = await BackupCli.RunAsync(env, ["verify", "latest", "--deep", .. lab.Flags(local)]);
        Assert.True(vExit == 0, $"{vOut}\n{vErr}");
        Assert.Matches(@"OK   local:.* revision \d+, 3000 keys", vOut);
        Assert.Empty(Directory.EnumerateDirectories(tmp, "etcd-backup-verify-*")); // the temporary etcd's directory is gone
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
