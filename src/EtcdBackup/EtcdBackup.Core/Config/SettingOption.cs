namespace EtcdBackup.Core.Config;

/// <summary>One setting: its path in the YAML file, its flag, and the help line. Flags win over the file.</summary>
/// <remarks>A <see cref="Repeatable"/> setting takes its flag several times (or a YAML list); the values are kept in order.</remarks>
public sealed record SettingOption(string Path, string Flag, string Help, bool IsSwitch = false, bool Repeatable = false)
{
    /// <summary>Every setting of the tool, in the order <c>--help</c> prints them.</summary>
    public static IReadOnlyList<SettingOption> All { get; } =
    [
        new("endpoints", "endpoints", "etcd client URLs, comma-separated (default http://127.0.0.1:2379)"),
        new("cacert", "cacert", "CA bundle that signed etcd's server certificate (kubeadm: /etc/kubernetes/pki/etcd/ca.crt)"),
        new("cert", "cert", "client certificate for etcd (kubeadm: /etc/kubernetes/pki/etcd/healthcheck-client.crt)"),
        new("key", "key", "client key for etcd (kubeadm: /etc/kubernetes/pki/etcd/healthcheck-client.key)"),
        new("dialTimeout", "dial-timeout", "time to connect to a member (default 5s)"),
        new("commandTimeout", "command-timeout", "time for one status or range call (default 10s)"),
        new("stallTimeout", "stall-timeout", "fail a snapshot whose stream sends nothing for this long (default 60s; no total limit)"),
        new("localDir", "local-dir", "local directory target"),
        new("s3.url", "s3-url", "S3 target, s3://BUCKET/PREFIX"),
        new("s3.endpoint", "s3-endpoint", "S3-compatible endpoint URL (path-style addressing)"),
        new("s3.region", "s3-region", "S3 region (default: AWS_REGION, else us-east-1)"),
        new("s3.sse", "s3-sse", "server-side encryption: AES256 or aws:kms"),
        new("s3.kmsKeyId", "s3-kms-key-id", "KMS key for --s3-sse aws:kms"),
        new("s3.partSizeMiB", "s3-part-size-mib", "multipart part size in MiB, 5..512 (default 16)"),
        new("s3.concurrency", "s3-concurrency", "parts uploaded at once, 1..16 (default 4)"),
        new("namePrefix", "name-prefix", "snapshot name prefix (default etcd)"),
        new("compression", "compression", "none or zstd (default none)"),
        new("encryptionKeyFile", "encryption-key-file", "file with a 32-byte AES-256-GCM key (raw, hex or base64); or set ETCD_BACKUP_ENCRYPTION_KEY_FILE"),
        new("schedule", "schedule", "cron schedule for run, five fields in UTC or @hourly/@daily (default @hourly)"),
        new("retention.keepLast", "keep-last", "keep the newest N snapshots per target (default 7)"),
        new("retention.hourly", "keep-hourly", "also keep the newest snapshot of each of the last N hours"),
        new("retention.daily", "keep-daily", "... of each of the last N days"),
        new("retention.weekly", "keep-weekly", "... of each of the last N ISO weeks"),
        new("retention.monthly", "keep-monthly", "... of each of the last N months"),
        new("retention.incompleteGrace", "incomplete-grace", "leave leftovers of interrupted runs this long before pruning them (default 0s)"),
        new("delta.interval", "delta-interval", "run: also store the change stream as deltas cut every interval (e.g. 30s; default off), for point-in-time restore"),
        new("delta.maxMiB", "delta-max-mib", "run: cut a delta early once it holds this many MiB of changes, 1..256 (default 16)"),
        new("verifyAfterSnapshot", "verify-after-snapshot", "deep-verify every new snapshot (restore it into a temporary etcd)", IsSwitch: true),
        new("admin", "admin", "metrics listener of run (default 127.0.0.1:9106) and of mirror (default 127.0.0.1:9107)"),
        new("lockFile", "lock-file", "lock that keeps runs from overlapping (default LOCAL_DIR/.etcd-backup.lock, else one per S3 store and prefix in /tmp)"),
        new("tools.etcd", "etcd-binary", "etcd, for --deep verification (default etcd on PATH)"),
        new("tools.etcdctl", "etcdctl", "etcdctl (default etcdctl on PATH)"),
        new("mirror.destEndpoints", "dest-endpoints", "mirror: destination etcd client URLs, comma-separated"),
        new("mirror.destCacert", "dest-cacert", "mirror: CA bundle that signed the destination's server certificate"),
        new("mirror.destCert", "dest-cert", "mirror: client certificate for the destination"),
        new("mirror.destKey", "dest-key", "mirror: client key for the destination"),
        new("mirror.prefixes", "prefix", "mirror: key prefix to mirror; repeat for more (default: the whole keyspace)", Repeatable: true),
        new("mirror.excludes", "exclude", "mirror: key prefix inside a --prefix to leave out; repeatable", Repeatable: true),
        new("mirror.revKey", "rev-key", "mirror: destination key holding the last applied source revision (default /edge-mirror/<source cluster id>/revision)"),
        new("tools.etcdutl", "etcdutl", "etcdutl, used for restore when present (3.5+; default etcdutl on PATH)"),
    ];

    /// <summary>What joins the values of a repeatable setting (a key may hold a comma, not a newline we accept).</summary>
    public const char RepeatSeparator = '\n';

    public static SettingOption? ByFlag(string flag) => All.FirstOrDefault(o => o.Flag == flag);
}
