using System.Runtime.InteropServices;

namespace VipDaemon.Net;

/// <summary>
/// The few libc calls .NET does not offer: a raw IP socket for protocol 112 (.NET's Socket constructor refuses
/// protocols outside a fixed list, reference/vrrp.md §5), an AF_PACKET socket for gratuitous ARP, and an eventfd
/// waited on with ppoll, whose timeout has nanoseconds where .NET's waits take whole milliseconds.
/// </summary>
internal static partial class Libc
{
    public const int AfInet = 2;
    public const int AfInet6 = 10;
    public const int AfPacket = 17;
    public const int SockRaw = 3;
    public const int SockDgram = 2;
    public const int SockCloexec = 0x80000;
    public const int SolSocket = 1;
    public const int SoBindToDevice = 25;
    public const int IpProtoIp = 0;
    public const int IpMulticastLoop = 34;
    public const int EthPArp = 0x0806;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial nint sendto(int fd, byte* buffer, nuint length, int flags, byte* address, uint addressLength);

    [LibraryImport("libc", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.U4)]
    public static partial uint if_nametoindex([MarshalAs(UnmanagedType.LPUTF8Str)] string name);

    public const int EfdCloexec = 0x80000;
    public const int EfdNonblock = 0x800;
    public const short PollIn = 1;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int eventfd(uint initialValue, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial nint read(int fd, void* buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial nint write(int fd, void* buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial int ppoll(PollFd* fds, nuint count, TimeSpec* timeout, void* signalMask);

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short ReturnedEvents;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    public static string LastError() => Marshal.GetLastPInvokeErrorMessage();
}
