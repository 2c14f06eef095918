using System.Runtime.InteropServices;

namespace LoopMin;

/// <summary>The libc calls loop-min makes (Linux, x86-64: epoll_event is packed).</summary>
internal static unsafe partial class Native
{
    public const int EpollIn = 0x1, EpollOut = 0x4, EpollErr = 0x8, EpollHup = 0x10;
    public const int CtlAdd = 1, CtlDel = 2, CtlMod = 3;
    public const int EAgain = 11;
    public const int SockNonBlock = 0x800, MsgNoSignal = 0x4000;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_ctl(int epfd, int op, int fd, EpollEvent* ev);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_wait(int epfd, EpollEvent* events, int max, int timeout);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int accept4(int fd, nint addr, nint len, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint recv(int fd, byte* buf, nint len, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint send(int fd, byte* buf, nint len, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setsockopt(int fd, int level, int name, int* value, int len);

    public static void Control(int epfd, int op, int fd, int events)
    {
        var ev = new EpollEvent { Events = (uint)events, Data = (ulong)fd };
        if (epoll_ctl(epfd, op, fd, &ev) != 0)
        {
            throw new InvalidOperationException($"epoll_ctl({op}, {fd}): errno {Marshal.GetLastPInvokeError()}");
        }
    }
}

[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct EpollEvent
{
    public uint Events;
    public ulong Data;
}
