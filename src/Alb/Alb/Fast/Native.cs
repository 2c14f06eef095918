using System.Net;
using System.Runtime.InteropServices;

namespace Alb.Fast;

/// <summary>The libc calls the front end's loops make: epoll, accept4, recv, send (Linux x86-64, where epoll_event is packed).</summary>
internal static unsafe partial class Native
{
    public const uint EpollIn = 0x1, EpollOut = 0x4, EpollErr = 0x8, EpollHup = 0x10, EpollExclusive = 1u << 28;
    public const int CtlAdd = 1, CtlDel = 2, CtlMod = 3;
    public const int EAgain = 11, EIntr = 4, EInProgress = 115;
    public const int SockNonBlock = 0x800, SockCloexec = 0x80000, MsgNoSignal = 0x4000;

    /// <summary>Whether the loops can run here (the packed epoll_event layout is x86-64's).</summary>
    public static bool Supported => OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_ctl(int epfd, int op, int fd, EpollEvent* ev);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_wait(int epfd, EpollEvent* events, int max, int timeout);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int accept4(int fd, byte* addr, int* len, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint recv(int fd, byte* buf, nint len, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint send(int fd, byte* buf, nint len, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int eventfd(uint initval, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint read(int fd, byte* buf, nint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint write(int fd, byte* buf, nint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int shutdown(int fd, int how);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setsockopt(int fd, int level, int name, int* value, int len);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getsockopt(int fd, int level, int name, int* value, int* len);

    /// <summary>Adds, changes or removes <paramref name="fd"/>'s interest, <paramref name="data"/> coming back with its events; false when the kernel refused.</summary>
    public static bool Control(int epfd, int op, int fd, uint events, ulong data = 0)
    {
        var ev = new EpollEvent { Events = events, Data = data };
        return epoll_ctl(epfd, op, fd, &ev) == 0;
    }

    public static void NoDelay(int fd)
    {
        var one = 1;
        _ = setsockopt(fd, 6, 1, &one, sizeof(int)); // IPPROTO_TCP, TCP_NODELAY
    }

    /// <summary>Closes with a reset (SO_LINGER 0): a client must not take a cut-off answer for a whole one.</summary>
    public static void Reset(int fd)
    {
        var linger = stackalloc int[2] { 1, 0 };
        _ = setsockopt(fd, 1, 13, linger, 2 * sizeof(int)); // SOL_SOCKET, SO_LINGER
        _ = close(fd);
    }

    /// <summary>Whether bytes wait to be read (not the peer's close, not nothing): a peek that does not block.</summary>
    public static bool BytesWaiting(int fd)
    {
        byte one;
        return recv(fd, &one, 1, 0x2 | 0x40) > 0; // MSG_PEEK | MSG_DONTWAIT
    }

    /// <summary>SO_ERROR: 0 once a non-blocking connect succeeded, else its errno.</summary>
    public static int PendingError(int fd)
    {
        int error = 0, length = sizeof(int);
        return getsockopt(fd, 1, 4, &error, &length) == 0 ? error : Marshal.GetLastPInvokeError();
    }

    /// <summary>The peer address accept4 wrote (sockaddr_in or sockaddr_in6), or null.</summary>
    public static IPEndPoint? Address(ReadOnlySpan<byte> sockaddr)
    {
        var family = BitConverter.ToUInt16(sockaddr);
        var port = (sockaddr[2] << 8) | sockaddr[3];
        return family switch
        {
            2 => new IPEndPoint(new IPAddress(sockaddr.Slice(4, 4)), port),
            10 => new IPEndPoint(new IPAddress(sockaddr.Slice(8, 16), BitConverter.ToUInt32(sockaddr[24..])), port),
            _ => null,
        };
    }
}

[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct EpollEvent
{
    public uint Events;
    public ulong Data;
}
