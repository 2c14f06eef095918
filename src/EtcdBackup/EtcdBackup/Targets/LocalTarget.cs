using EtcdBackup.Core.Naming;
using EtcdBackup.Core.Retention;

namespace EtcdBackup.Targets;

/// <summary>
/// A local directory. Objects are written as <c>NAME.part</c>, fsynced, renamed, and the directory fsynced: a crash
/// leaves either the whole object or a <c>.part</c> that listings show as incomplete and prune removes.
/// </summary>
internal sealed class LocalTarget(string directory) : ITarget
{
    public string Directory { get; } = Path.GetFullPath(directory);

    public string Name => "local:" + Directory;

    public async Task<ITargetWriter> CreateAsync(string fileName, CancellationToken ct)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var final = Path.Combine(Directory, fileName);
        var part = final + SnapshotName.PartSuffix;
        var options = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            Share = FileShare.None,
            Options = FileOptions.Asynchronous,
            BufferSize = 1024 * 1024,
        };
        if (!OperatingSystem.IsWindows())
        {
            // A snapshot holds every Secret of the cluster: readable by its owner only.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var stream = new FileStream(part, options);
        await Task.CompletedTask.ConfigureAwait(false);
        return new Writer(this, stream, new Writeback(stream, options.BufferSize), part, final);
    }

    public async Task WriteSmallAsync(string fileName, byte[] content, CancellationToken ct)
    {
        await using var writer = await CreateAsync(fileName, ct).ConfigureAwait(false);
        await writer.WriteAsync(content, ct).ConfigureAwait(false);
        await writer.CompleteAsync(ct).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<StoredFile>> ListAsync(CancellationToken ct)
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return Task.FromResult<IReadOnlyList<StoredFile>>([]);
        }

        IReadOnlyList<StoredFile> files = new DirectoryInfo(Directory).EnumerateFiles()
            .Select(f => new StoredFile(f.Name, f.Length)).ToList();
        return Task.FromResult(files);
    }

    public Task<byte[]> ReadSmallAsync(string fileName, CancellationToken ct) =>
        File.ReadAllBytesAsync(Path.Combine(Directory, fileName), ct);

    public Task<Stream> OpenReadAsync(string fileName, CancellationToken ct) =>
        Task.FromResult<Stream>(new FileStream(Path.Combine(Directory, fileName), FileMode.Open, FileAccess.Read, FileShare.Read,
            1024 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan));

    public Task DeleteAsync(string fileName, CancellationToken ct)
    {
        File.Delete(Path.Combine(Directory, fileName));
        DirectorySync.Sync(Directory);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> CleanHiddenLeftoversAsync(bool dryRun, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<string>>([]);

    public override string ToString() => Name;

    private sealed class Writer(LocalTarget target, FileStream stream, Writeback writeback, string part, string final) : ITargetWriter
    {
        private bool _ended;

        public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
        {
            await stream.WriteAsync(data, ct).ConfigureAwait(false);
            writeback.Advance();
        }

        public async Task CompleteAsync(CancellationToken ct)
        {
            await stream.FlushAsync(ct).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
            await stream.DisposeAsync().ConfigureAwait(false);
            File.Move(part, final, overwrite: true);
            DirectorySync.Sync(target.Directory);
            _ended = true;
        }

        public async Task AbortAsync()
        {
            if (_ended)
            {
                return;
            }

            _ended = true;
            try
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            catch (IOException)
            {
                // The disk may be full: the flush on dispose fails; the file goes anyway.
            }

            try
            {
                File.Delete(part);
            }
            catch (IOException)
            {
                // Left as .part: listed as incomplete and pruned by the next run.
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_ended)
            {
                await AbortAsync().ConfigureAwait(false);
            }
        }
    }
}
