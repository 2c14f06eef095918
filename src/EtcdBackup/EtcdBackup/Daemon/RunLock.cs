namespace EtcdBackup.Daemon;

/// <summary>
/// Keeps snapshot and prune runs from overlapping, across processes: an exclusive lock on a file (flock, which .NET
/// takes for <see cref="FileShare.None"/> on Linux). The kernel drops it when the holder dies, so a killed run never
/// blocks the next.
/// </summary>
internal sealed class RunLock : IDisposable
{
    private readonly FileStream _stream;

    private RunLock(FileStream stream) => _stream = stream;

    public static RunLock? TryAcquire(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        try
        {
            return new RunLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException)
        {
            return null;
        }
    }

    public void Dispose() => _stream.Dispose();
}
