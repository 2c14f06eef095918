using System.Net.Sockets;

namespace LoopMin;

internal sealed class Client
{
    public int Fd;
    public readonly byte[] In = GC.AllocateArray<byte>(16 * 1024, pinned: true);
    public int InLength;
    public Upstream? Up;
    public bool CloseAfter;
    public byte[] Pending = GC.AllocateArray<byte>(80 * 1024, pinned: true); // what the client's socket did not take
    public int PendingLength;
    public TlsSession? Tls;
}

internal sealed class Upstream(Socket socket)
{
    public readonly Socket Socket = socket;
    public readonly int Fd = (int)socket.Handle;
    public readonly byte[] Buffer = GC.AllocateArray<byte>(64 * 1024, pinned: true);
    public int HeadLength; // bytes of the response head gathered so far, before its end is found
    public bool HeadDone;
    public long Remaining; // body bytes still to come
    public Client? Owner;
}
