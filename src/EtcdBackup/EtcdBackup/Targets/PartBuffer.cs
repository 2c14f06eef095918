using System.Runtime.InteropServices;

namespace EtcdBackup.Targets;

/// <summary>
/// One multipart part's bytes, outside the GC heap: part buffers are the only large memory etcd-backup holds, and
/// keeping them native lets the managed heap run under a small hard limit (see EtcdBackup.csproj), which is what
/// keeps the process's memory flat whatever the snapshot size.
/// </summary>
internal sealed unsafe class PartBuffer : IDisposable
{
    private byte* _pointer;

    public PartBuffer(int capacity)
    {
        Capacity = capacity;
        _pointer = (byte*)NativeMemory.Alloc((nuint)capacity);
    }

    public int Capacity { get; }

    public Span<byte> Span => _pointer == null ? throw new ObjectDisposedException(nameof(PartBuffer)) : new(_pointer, Capacity);

    /// <summary>A read-only, seekable view of the first <paramref name="length"/> bytes (the SDK signs the part by reading it).</summary>
    public Stream Open(int length) => new UnmanagedMemoryStream(_pointer, length);

    public void Dispose()
    {
        if (_pointer != null)
        {
            NativeMemory.Free(_pointer);
            _pointer = null;
        }
    }
}
