using EtcdBackup.Core.Retention;

namespace EtcdBackup.Targets;

/// <summary>A place snapshots are kept: a local directory or an S3 prefix. Names are relative to the target.</summary>
internal interface ITarget
{
    /// <summary><c>local:/var/backups/etcd</c> or <c>s3://bucket/prefix</c>; the label in logs, metrics and listings.</summary>
    string Name { get; }

    /// <summary>Starts writing an object; nothing is visible under <paramref name="fileName"/> until it completes.</summary>
    Task<ITargetWriter> CreateAsync(string fileName, CancellationToken ct);

    /// <summary>Writes a small object (a manifest) whole, so it is either absent or complete.</summary>
    Task WriteSmallAsync(string fileName, byte[] content, CancellationToken ct);

    Task<IReadOnlyList<StoredFile>> ListAsync(CancellationToken ct);

    Task<byte[]> ReadSmallAsync(string fileName, CancellationToken ct);

    Task<Stream> OpenReadAsync(string fileName, CancellationToken ct);

    Task DeleteAsync(string fileName, CancellationToken ct);

    /// <summary>Removes leftovers that no listing shows (S3 multipart uploads never completed); a line per action.</summary>
    Task<IReadOnlyList<string>> CleanHiddenLeftoversAsync(bool dryRun, CancellationToken ct);
}

/// <summary>An object being written. Exactly one of <see cref="CompleteAsync"/> or <see cref="AbortAsync"/> ends it.</summary>
internal interface ITargetWriter : IAsyncDisposable
{
    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct);

    Task CompleteAsync(CancellationToken ct);

    /// <summary>Removes everything written so far. Never throws.</summary>
    Task AbortAsync();
}
