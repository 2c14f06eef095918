using System.Net.Sockets;

namespace VipDaemon.Net;

/// <summary>
/// Link changes as the kernel announces them: an rtnetlink socket subscribed to the link group (RTMGRP_LINK), as
/// keepalived watches its tracked interfaces. An interface tracker waits here instead of polling, so an idle daemon is
/// not woken for it (polling /sys every 100 ms was 10 timer and 10 thread-pool wake-ups a second). Any link message
/// counts as a change: the caller reads the state it cares about again.
/// </summary>
internal sealed partial class LinkEvents : IDisposable
{
    private const int AfNetlink = 16;
    private const int NetlinkRoute = 0;
    private const uint RtmgrpLink = 1;

    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[16384];

    private LinkEvents(Socket socket) => _socket = socket;

    /// <summary>Subscribed when this returns: a change after it wakes the next <see cref="WaitAsync"/>.</summary>
    public static unsafe LinkEvents Open()
    {
        var fd = Libc.socket(AfNetlink, Libc.SockRaw | Libc.SockCloexec, NetlinkRoute);
        if (fd < 0)
        {
            throw new InvalidOperationException($"netlink socket: {Libc.LastError()}");
        }

        var address = stackalloc byte[12]; // sockaddr_nl: family u16, pad u16, pid u32 (0: the kernel picks), groups u32
        new Span<byte>(address, 12).Clear();
        address[0] = AfNetlink;
        *(uint*)(address + 8) = RtmgrpLink;
        if (bind(fd, address, 12) < 0)
        {
            var error = Libc.LastError();
            _ = Libc.close(fd);
            throw new InvalidOperationException($"netlink bind to the link group: {error}");
        }

        return new LinkEvents(new Socket(new SafeSocketHandle(fd, ownsHandle: true)));
    }

    /// <summary>
    /// Returns at the next link message; a lost one (the socket's queue overflowed: ENOBUFS) also counts as a change.
    /// Throws <see cref="OperationCanceledException"/> when <paramref name="stopping"/> fires, and
    /// <see cref="SocketException"/> for any other error.
    /// </summary>
    public async Task WaitAsync(CancellationToken stopping)
    {
        try
        {
            _ = await _socket.ReceiveAsync(_buffer, SocketFlags.None, stopping).ConfigureAwait(false);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.NoBufferSpaceAvailable)
        {
        }
    }

    public void Dispose() => _socket.Dispose();

    [System.Runtime.InteropServices.LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int bind(int fd, byte* address, uint length);
}
