using EtcdBackup.Core.Config;

namespace EtcdBackup.Core.Tests.Config;

public class SettingsReaderTests
{
    private static (BackupSettings? Settings, IReadOnlyList<string> Errors) Read(string? yaml, params (string Flag, string Value)[] flags) =>
        SettingsReader.Read(yaml, "backup.yaml", flags.ToDictionary(f => f.Flag, f => f.Value), f => f.StartsWith("/exists", StringComparison.Ordinal));

    [Fact]
    public void Defaults_follow_etcdctl_and_the_docs()
    {
        var (s, errors) = Read(null);

        Assert.Empty(errors);
        Assert.Equal("http://127.0.0.1:2379/", Assert.Single(s!.Endpoints).ToString());
        Assert.Equal(7, s.Retention.KeepLast);
        Assert.Equal("@hourly", s.Schedule!.Text);
        Assert.Equal("none", s.Compression);
    }

    [Fact]
    public void Reads_yaml_and_flags_win()
    {
        var yaml = """
            endpoints: [https://10.0.0.1:2379, https://10.0.0.2:2379]
            cacert: /exists/ca.crt
            localDir: /var/backups/etcd
            s3:
              url: s3://backups/prod/etcd
              endpoint: http://127.0.0.1:9000
              partSizeMiB: 8
            retention:
              keepLast: 3
              daily: 7
            schedule: "*/15 * * * *"
            compression: zstd
            """;
        var (s, errors) = Read(yaml, ("keep-last", "5"), ("s3-concurrency", "2"));

        Assert.Empty(errors);
        Assert.Equal(2, s!.Endpoints.Count);
        Assert.Equal("backups", s.S3!.Bucket);
        Assert.Equal("prod/etcd", s.S3.Prefix);
        Assert.Equal("prod/etcd/x.json", s.S3.KeyFor("x.json"));
        Assert.Equal(8, s.S3.PartSizeMiB);
        Assert.Equal(2, s.S3.Concurrency);
        Assert.Equal(5, s.Retention.KeepLast);
        Assert.Equal(7, s.Retention.Daily);
        Assert.Equal("zstd", s.Compression);
    }

    [Theory]
    [InlineData("schedule", "61 * * * *", "--schedule: \"61 * * * *\" is not a cron schedule")]
    [InlineData("schedule", "every hour", "--schedule: \"every hour\" is not a cron schedule")]
    [InlineData("keep-last", "0", "--keep-last: \"0\" is not a whole number in 1..100000")]
    [InlineData("keep-daily", "-1", "--keep-daily: \"-1\" is not a whole number")]
    [InlineData("endpoints", "10.0.0.1:2379", "--endpoints: \"10.0.0.1:2379\" is not an etcd client URL")]
    [InlineData("cacert", "/missing/ca.crt", "--cacert: file /missing/ca.crt does not exist")]
    [InlineData("s3-url", "https://bucket/x", "--s3-url: \"https://bucket/x\" is not s3://BUCKET/PREFIX")]
    [InlineData("s3-url", "s3://Bad_Bucket/x", "--s3-url: \"Bad_Bucket\" is not an S3 bucket name")]
    [InlineData("compression", "gzip", "--compression: \"gzip\" is not one of none, zstd")]
    [InlineData("dial-timeout", "5", "--dial-timeout: \"5\" is not a duration")]
    [InlineData("admin", "localhost", "--admin: \"localhost\" is not ADDRESS:PORT")]
    [InlineData("name-prefix", "a/b", "--name-prefix: \"a/b\" must be")]
    [InlineData("verify-after-snapshot", "yes", "--verify-after-snapshot: \"yes\" is not true or false")]
    [InlineData("no-such-flag", "1", "--no-such-flag: unknown flag")]
    [InlineData("delta-interval", "10", "--delta-interval: \"10\" is not a duration of at least 100 ms")]
    [InlineData("delta-max-mib", "0", "--delta-max-mib: \"0\" is not a whole number in 1..256")]
    public void Rejects_bad_values_naming_the_flag(string flag, string value, string message)
    {
        var (s, errors) = Read(null, (flag, value));

        Assert.Null(s);
        Assert.StartsWith(message, Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_bad_yaml_naming_the_file_path_and_line()
    {
        var (_, errors) = Read("retention:\n  keeplast: 3\nschedule: 5\n");

        Assert.Contains("backup.yaml: retention.keeplast (line 2): unknown setting", errors);
        Assert.Contains(errors, e => e.StartsWith("backup.yaml: schedule: \"5\" is not a cron schedule", StringComparison.Ordinal));
        Assert.StartsWith("backup.yaml: line", Assert.Single(Read("a: [").Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_s3_lock_is_one_per_store_and_prefix()
    {
        string Lock(string url, string? endpoint = null) =>
            Read(null, endpoint is null ? [("s3-url", url)] : [("s3-url", url), ("s3-endpoint", endpoint)]).Settings!.S3!.LockFileName;

        Assert.Matches("^etcd-backup-[0-9a-f]{16}[.]lock$", Lock("s3://backups/prod"));
        Assert.Equal(Lock("s3://backups/prod"), Lock("s3://backups/prod"));
        Assert.NotEqual(Lock("s3://backups/prod"), Lock("s3://backups/staging"));
        Assert.NotEqual(Lock("s3://backups/prod"), Lock("s3://other/prod"));
        Assert.NotEqual(Lock("s3://backups/prod", "http://10.0.0.1:9000"), Lock("s3://backups/prod", "http://10.0.0.2:9000"));
    }

    [Fact]
    public void Collects_every_error_at_once()
    {
        var (_, errors) = Read(null, ("keep-last", "x"), ("schedule", "bad"), ("cert", "/exists/c.crt"), ("s3-region", "eu-west-1"));

        Assert.Equal(4, errors.Count);
        Assert.Contains("--cert/--key: give both the client certificate and its key, or neither", errors);
        Assert.Contains("--s3-region: needs --s3-url", errors);
    }

    [Fact]
    public void Deltas_are_off_unless_an_interval_is_given_in_yaml_or_by_flag()
    {
        Assert.Null(Read(null).Settings!.Delta.Interval);
        var fromYaml = Read("delta: {interval: 30s, maxMiB: 4}").Settings!.Delta;
        Assert.Equal((TimeSpan.FromSeconds(30), 4L << 20), (fromYaml.Interval!.Value, fromYaml.MaxBytes));
        Assert.Equal(TimeSpan.FromSeconds(1), Read("delta: {interval: 30s}", ("delta-interval", "1s")).Settings!.Delta.Interval);
    }
}
