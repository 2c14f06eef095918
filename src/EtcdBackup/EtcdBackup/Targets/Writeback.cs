using System.Runtime.InteropServices;

namespace EtcdBackup.Targets;

/// <summary>
/// Starts the kernel writing a file's dirty pages while the rest is still arriving (<c>sync_file_range</c> with
/// <c>SYNC_FILE_RANGE_WRITE</c>: asynchronous, no durability promise), so the fsync that commits the file waits for the
/// tail only. Without it the whole snapshot sits dirty in the page cache until that fsync (Linux starts background
/// writeback at 10 % of memory): 0.8 s of a 7 s snapshot of 1.3 GB waited in fsync here. PostgreSQL's
/// <c>checkpoint_flush_after</c> does the same. A no-op where the call does not exist.
/// </summary>
internal sealed partial class Writeback(FileStream file, int bufferSize)
{
    /// <summary>How much is written between two writeback requests.</summary>
    public const long Every = 8 * 1024 * 1024;

    private const uint SyncFileRangeWrite = 2;
    private long _from;

    /// <summary>Writeback requests the kernel took.</summary>
    public int Requests { get; private set; }

    /// <summary>Where the next request starts: everything before it has been handed to writeback.</summary>
    public long RequestedUpTo => _from;

    /// <summary>Called after each write: once <see cref="Every"/> more bytes have reached the kernel, asks it to write them.</summary>
    public void Advance()
    {
        // Bytes before Position - bufferSize have left FileStream's buffer for the kernel.
        var upTo = file.Position - bufferSize;
        if (upTo - _from < Every || !OperatingSystem.IsLinux())
        {
            return;
        }

        // Best effort: an error here changes nothing the fsync at the end does not check.
        if (SyncFileRange(file.SafeFileHandle, _from, upTo - _from, SyncFileRangeWrite) == 0)
        {
            Requests++;
        }

        _from = upTo;
    }

    [LibraryImport("libc", EntryPoint = "sync_file_range")]
    private static partial int SyncFileRange(Microsoft.Win32.SafeHandles.SafeFileHandle fd, long offset, long count, uint flags);
}
