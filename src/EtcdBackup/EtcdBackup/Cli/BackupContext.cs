using EtcdBackup.Core.Config;
using EtcdBackup.Core.Transforms;
using EtcdBackup.Targets;

namespace EtcdBackup.Cli;

/// <summary>Settings, targets and the encryption key of one invocation. Disposes the S3 client.</summary>
internal sealed class BackupContext : IDisposable
{
    public const string KeyFileVariable = "ETCD_BACKUP_ENCRYPTION_KEY_FILE";

    private BackupContext(BackupSettings settings, IReadOnlyList<ITarget> targets, byte[]? key)
    {
        Settings = settings;
        Targets = targets;
        Key = key;
    }

    public BackupSettings Settings { get; }

    public IReadOnlyList<ITarget> Targets { get; }

    public byte[]? Key { get; }

    /// <summary>Reads <c>--config</c> and the flags; every error goes into the exception, one per line.</summary>
    public static BackupContext Load(CommandLine line, bool needsTarget = true)
    {
        string? yaml = null;
        var yamlName = line.Option("config") ?? "";
        if (yamlName.Length > 0)
        {
            try
            {
                yaml = File.ReadAllText(yamlName);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"--config: cannot read {yamlName}: {e.Message}");
            }
        }

        var flags = new Dictionary<string, string>(line.Settings);
        if (!flags.ContainsKey("encryption-key-file") && Environment.GetEnvironmentVariable(KeyFileVariable) is { Length: > 0 } fromEnv)
        {
            flags["encryption-key-file"] = fromEnv;
        }

        var (settings, errors) = SettingsReader.Read(yaml, yamlName, flags, File.Exists);
        if (settings is null)
        {
            throw new UsageException(string.Join(Environment.NewLine, errors));
        }

        if (needsTarget && settings.LocalDir is null && settings.S3 is null)
        {
            throw new UsageException("--local-dir/--s3-url: give at least one target");
        }

        byte[]? key = null;
        if (settings.EncryptionKeyFile is { } keyFile)
        {
            byte[] content;
            try
            {
                content = File.ReadAllBytes(keyFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"--encryption-key-file: cannot read {keyFile}: {e.Message}");
            }

            if (!SnapshotCipher.TryReadKey(content, out key, out var error))
            {
                throw new UsageException($"--encryption-key-file: {keyFile}: {error}");
            }
        }

        var targets = new List<ITarget>();
        if (settings.LocalDir is { } dir)
        {
            targets.Add(new LocalTarget(dir));
        }

        if (settings.S3 is { } s3)
        {
            targets.Add(new S3Target(s3));
        }

        return new BackupContext(settings, targets, key);
    }

    /// <summary>The lock file: given; else in the local directory; else one per S3 store and prefix in the temp directory.</summary>
    public string LockFile => Settings.LockFile ??
        (Settings.LocalDir is { } dir ? Path.Combine(dir, ".etcd-backup.lock")
            : Path.Combine(Path.GetTempPath(), Settings.S3?.LockFileName ?? "etcd-backup.lock"));

    public void Dispose()
    {
        foreach (var target in Targets.OfType<IDisposable>())
        {
            target.Dispose();
        }
    }
}
