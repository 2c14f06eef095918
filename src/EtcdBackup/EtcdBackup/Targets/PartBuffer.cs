using System.Runtime.InteropServices;

namespace EtcdBackup.Targets;

/// <summary>
/// One multipart part's bytes, outside the GC heap: part buffers are the only large memory etcd-backup holds, and
/// keeping them native lets the managed heap run under a small hard limit (see EtcdBackup.csproj), which is what
/// keeps the process's memory flat whatever the snapshot size.
/// </summary>
/// <remarks>
/// On Linux the buffer is 2 MiB aligned and advised for transparent huge pages (<c>MADV_HUGEPAGE</c>; Debian's default
/// THP mode is <c>madvise</c>, so nothing is huge unless asked). A 16 MiB part is then 8 page faults instead of 4,096.
/// Where the kernel says no, the buffer is an ordinary one.
/// </remarks>
internal sealed unsafe partial class PartBuffer : IDisposable
{
    private const nuint HugePage = 2 * 1024 * 1024;
    private const int MadvHugePage = 14;
    private byte* _pointer;

    public PartBuffer(int capacity)
    {
        Capacity = capacity;
        if (OperatingSystem.IsLinux())
        {
            _pointer = (byte*)NativeMemory.AlignedAlloc((nuint)capacity, HugePage);
            _ = Madvise(_pointer, (nuint)capacity, MadvHugePage);
        }
        else
        {
            _pointer = (byte*)NativeMemory.AlignedAlloc((nuint)capacity, 4096);
        }
    }

    public int Capacity { get; }

    public Span<byte> Span => _pointer == null ? throw new ObjectDisposedException(nameof(PartBuffer)) : new(_pointer, Capacity);

    /// <summary>A read-only, seekable view of the first <paramref name="length"/> bytes (the SDK signs the part by reading it).</summary>
    public Stream Open(int length) => new UnmanagedMemoryStream(_pointer, length);

    public void Dispose()
    {
        if (_pointer != null)
        {
            NativeMemory.AlignedFree(_pointer);
            _pointer = null;
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(void* address, nuint length, int advice);
}
