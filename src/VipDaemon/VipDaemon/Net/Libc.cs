using System.Runtime.InteropServices;

namespace VipDaemon.Net;

/// <summary>
/// The few libc calls .NET does not offer: a raw IP socket for protocol 112 (.NET's Socket constructor refuses
/// protocols outside a fixed list, reference/vrrp.md §5) and an AF_PACKET socket for gratuitous ARP.
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

    public static string LastError() => Marshal.GetLastPInvokeErrorMessage();
}
