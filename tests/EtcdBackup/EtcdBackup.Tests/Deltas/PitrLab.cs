using System.Globalization;
using System.Text.Json;
using Edge.Testing;
using EtcdBackup.Tests.Fixtures;
using Etcdserverpb;
using Google.Protobuf;

namespace EtcdBackup.Tests.Deltas;

/// <summary>Helpers of the point-in-time tests: a daemon with deltas, the source read at a revision, a restore read back.</summary>
internal static class PitrLab
{
    public static TestProcess StartRun(BackupLab lab, string local, string? s3Prefix, params string[] more) =>
        StartRun(lab, local, s3Prefix, FreePort.Next(), more);

    public static TestProcess StartRun(BackupLab lab, string local, string? s3Prefix, int adminPort, params string[] more) =>
        BackupCli.Start(lab.S3.Credentials(),
        [
            "run", "--schedule", "0 0 1 1 *", "--delta-interval", "1s", "--admin", $"127.0.0.1:{adminPort.ToString(CultureInfo.InvariantCulture)}",
            .. lab.Flags(local, s3Prefix, more),
        ]);

    /// <summary>The newest revision stored in a delta of the local dir (0 when none).</summary>
    public static long DeltaReach(string local) => Directory.EnumerateFiles(local, "etcd-delta-*.json")
        .Select(f => JsonDocument.Parse(File.ReadAllBytes(f)).RootElement.GetProperty("toRevision").GetInt64()).DefaultIfEmpty(0).Max();

    public static IReadOnlyList<string> Fulls(string local) => [.. Directory.EnumerateFiles(local, "etcd-2*.json").Order(StringComparer.Ordinal)];

    public static async Task WaitAsync(Func<bool> done, TestProcess daemon, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!done())
        {
            Assert.False(daemon.HasExited, daemon.Output());
            Assert.True(DateTime.UtcNow < deadline, daemon.Output());
            await Task.Delay(100);
        }
    }

    public static async Task StopAsync(TestProcess daemon)
    {
        daemon.Signal(15);
        Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    /// <summary>Every key and value of the source as it was at <paramref name="revision"/>.</summary>
    public static async Task<Dictionary<string, string>> ReadAtAsync(EtcdServer source, long revision)
    {
        var all = ByteString.CopyFrom(0);
        var response = await source.Kv.RangeAsync(new RangeRequest { Key = all, RangeEnd = all, Revision = revision });
        return response.Kvs.ToDictionary(k => k.Key.ToStringUtf8(), k => Convert.ToBase64String(k.Value.ToByteArray()));
    }

    /// <summary>Runs <c>restore</c> with <paramref name="point"/> into a new data dir; the exit, the output and the data dir.</summary>
    public static async Task<(int Exit, string Output, string DataDir)> RestoreAsync(BackupLab lab, string[] targetFlags, params string[] point)
    {
        var dataDir = Path.Combine(lab.Root, $"restored-{Guid.NewGuid():n}");
        var (exit, stdout, stderr) = await BackupCli.RunAsync(lab.S3.Credentials(),
            ["restore", .. point, "--data-dir", dataDir, "--name", "m1", "--initial-cluster", "m1=http://127.0.0.1:2380", .. targetFlags]);
        return (exit, $"{stdout}\n{stderr}", dataDir);
    }

    /// <summary>Restores to <paramref name="point"/> and asserts the restored keyspace is the source's at <paramref name="revision"/>.</summary>
    public static async Task AssertRestoresAsync(BackupLab lab, string[] targetFlags, long revision, params string[] point)
    {
        var (exit, output, dataDir) = await RestoreAsync(lab, targetFlags, point);
        Assert.True(exit == 0, output);
        Assert.Contains($"the state of source revision {revision}", output, StringComparison.Ordinal);
        var peer = FreePort.Next();
        await using var restored = await EtcdServer.StartAsync(dataDir, "m1", "m1=http://127.0.0.1:2380", peerPort: peer);
        var (_, back) = await restored.ReadAllAsync();
        var expected = await ReadAtAsync(lab.Etcd, revision);
        Assert.Equal(expected.Count, back.Count);
        Assert.Equal(expected.OrderBy(k => k.Key, StringComparer.Ordinal), back.OrderBy(k => k.Key, StringComparer.Ordinal));
    }
}
