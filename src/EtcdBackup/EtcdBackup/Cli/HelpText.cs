using System.Text;
using EtcdBackup.Core.Config;

namespace EtcdBackup.Cli;

internal static class HelpText
{
    private const string Commands = """
        etcd-backup: verified etcd snapshots, kept on local disk and in S3 with retention, restorable with one command.

        Usage:
          etcd-backup snapshot [SETTINGS]              take one snapshot now into every target
          etcd-backup run [SETTINGS] [--log-level L]   snapshots on --schedule, retention after each, /metrics on --admin;
                                                       with --delta-interval also every change between them, as deltas
          etcd-backup list [SETTINGS] [--output text|json]
                                                       snapshots in every target: time, revision, size, state
          etcd-backup verify ID [--deep] [SETTINGS]    check a snapshot (ID or latest) against its manifest;
                                                       --deep also restores it into a temporary etcd and reads it back
          etcd-backup restore ID --data-dir DIR --name NAME --initial-cluster NAME=URL,...
                             [--initial-advertise-peer-urls URL] [--initial-cluster-token T] [SETTINGS]
                                                       fetch, verify, decode and restore with etcd's own tool
          etcd-backup restore --to-revision R | --to-time T --data-dir DIR --name NAME --initial-cluster ...
                                                       point-in-time: the newest full snapshot before the point, its
                                                       deltas replayed up to it in a temporary etcd, then restored
          etcd-backup prune [--dry-run] [SETTINGS]     print the retention plan with a reason for each snapshot, then apply it
          etcd-backup mirror --dest-endpoints URLS [--prefix P]... [--exclude P]... [--rev-key KEY] [SETTINGS]
                                                       keep a standby cluster in sync: a full copy, then every change,
                                                       resumable; /metrics on --admin (default 127.0.0.1:9107)
          etcd-backup mirror status [SETTINGS]         the destination's resume point against the source
          etcd-backup mirror verify [SETTINGS]         compare both at the resume point: key count, SHA-256, first differences
          --config FILE                                YAML file with any of the settings below (flags win)

        Exit codes: 0 ok; 1 failed; 2 bad usage or settings; 3 stored in some targets but not all; 4 another run holds the lock.
        Secrets never come from flags: S3 credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the shared
        credentials file (AWS_SHARED_CREDENTIALS_FILE, AWS_PROFILE), as the AWS CLI reads them; the encryption key
        from --encryption-key-file or ETCD_BACKUP_ENCRYPTION_KEY_FILE.

        Settings (flag / YAML path):
        """;

    public static string Build()
    {
        var text = new StringBuilder(Commands).AppendLine();
        foreach (var option in SettingOption.All)
        {
            var flag = option.IsSwitch ? $"--{option.Flag}" : $"--{option.Flag} V";
            text.AppendLine($"  {flag,-28} {option.Path,-26} {option.Help}");
        }

        return text.ToString();
    }
}
