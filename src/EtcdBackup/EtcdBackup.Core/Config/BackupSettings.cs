using System.Net;
using EtcdBackup.Core.Retention;
using EtcdBackup.Core.Scheduling;

namespace EtcdBackup.Core.Config;

/// <summary>Everything etcd-backup is told, from its YAML file and flags, validated. Never holds a secret.</summary>
public sealed record BackupSettings
{
    public required IReadOnlyList<Uri> Endpoints { get; init; }
    public string? CaCert { get; init; }
    public string? Cert { get; init; }
    public string? Key { get; init; }
    public TimeSpan DialTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest the snapshot stream may stall (no bytes) before the run fails; there is no total limit.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public string? LocalDir { get; init; }
    public S3Location? S3 { get; init; }
    public string NamePrefix { get; init; } = "etcd";
    public string Compression { get; init; } = Naming.Compressions.None;

    /// <summary>The file holding the 32-byte AES key (raw, hex or base64); the key itself is read by the host.</summary>
    public string? EncryptionKeyFile { get; init; }

    public CronSchedule? Schedule { get; init; }
    public RetentionPolicy Retention { get; init; } = RetentionPolicy.Default;
    public bool VerifyAfterSnapshot { get; init; }
    public IPEndPoint Admin { get; init; } = new(IPAddress.Loopback, 9106);
    public string? LockFile { get; init; }
    public string EtcdBinary { get; init; } = "etcd";
    public string EtcdctlBinary { get; init; } = "etcdctl";
    public string EtcdutlBinary { get; init; } = "etcdutl";
    public MirrorSettings Mirror { get; init; } = new();
    public DeltaSettings Delta { get; init; } = new();
}

/// <summary>Deltas of <c>run</c>: off unless <see cref="Interval"/> is set.</summary>
public sealed record DeltaSettings
{
    public TimeSpan? Interval { get; init; }
    public long MaxBytes { get; init; } = 16L << 20;
}

/// <summary>An S3 bucket and key prefix (<c>s3://BUCKET/PREFIX</c>) and how to reach it.</summary>
public sealed record S3Location(string Bucket, string Prefix, Uri? Endpoint, string Region, string? ServerSideEncryption,
    string? KmsKeyId, int PartSizeMiB, int Concurrency)
{
    public string KeyFor(string fileName) => Prefix.Length == 0 ? fileName : $"{Prefix}/{fileName}";

    /// <summary>
    /// The default lock's file name when S3 is the only target: one per store and prefix, so runs into different
    /// prefixes (two clusters backed up from one host) do not hold each other up, and two into the same one never overlap.
    /// </summary>
    public string LockFileName =>
        $"etcd-backup-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{Endpoint}|{this}")))[..16]}.lock";

    public override string ToString() => Prefix.Length == 0 ? $"s3://{Bucket}" : $"s3://{Bucket}/{Prefix}";
}
