namespace EtcdBackup.Tests.Fixtures;

/// <summary>A temporary directory with a real etcd and a real S3 server, for one test class.</summary>
public sealed class BackupLab : IAsyncLifetime
{
    public string Root { get; } = Directory.CreateTempSubdirectory("etcd-backup-test-").FullName;

    public EtcdServer Etcd { get; private set; } = null!;

    public S3Server S3 { get; private set; } = null!;

    /// <summary>The 32-byte key file of encryption tests.</summary>
    public string KeyFile { get; private set; } = "";

    public string Dir(string name)
    {
        var path = Path.Combine(Root, name);
        Directory.CreateDirectory(path);
        return path;
    }

    public async Task InitializeAsync()
    {
        Etcd = await EtcdServer.StartAsync(Dir("etcd"));
        S3 = await S3Server.StartAsync(Dir("s3"));
        KeyFile = Path.Combine(Root, "backup.key");
        await File.WriteAllTextAsync(KeyFile, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
    }

    /// <summary>Flags that point etcd-backup at this lab's etcd, a local dir and/or the S3 bucket under a prefix.</summary>
    public string[] Flags(string? localDir = null, string? s3Prefix = null, params string[] more)
    {
        var flags = new List<string> { "--endpoints", Etcd.Endpoint };
        if (localDir is not null)
        {
            flags.AddRange(["--local-dir", localDir]);
        }

        if (s3Prefix is not null)
        {
            flags.AddRange(["--s3-url", $"s3://{S3Server.Bucket}/{s3Prefix}", "--s3-endpoint", S3.Endpoint]);
        }

        flags.AddRange(more);
        return [.. flags];
    }

    public async Task DisposeAsync()
    {
        await Etcd.DisposeAsync();
        await S3.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}
