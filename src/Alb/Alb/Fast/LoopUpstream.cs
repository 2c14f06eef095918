using System.Buffers;
using System.Net.Sockets;
using Alb.Core.Http1;
using Alb.Proxy;

namespace Alb.Fast;

/// <summary>A connection to a backend, owned by one loop: idle in the loop's pool, or carrying one client's exchange.</summary>
internal sealed class LoopUpstream(Socket socket, EndpointState endpoint)
{
    public const int BufferSize = 64 * 1024;

    public readonly Socket Socket = socket;
    public readonly int Fd = (int)socket.Handle;
    public readonly EndpointState Endpoint = endpoint;
    public int Slot;

    /// <summary>The epoll events the socket is watched for now.</summary>
    public uint Events;
    /// <summary>The answer's bytes as they come: rented for an exchange, back to the pool while the connection is idle.</summary>
    public byte[] Buffer = [];
    public readonly ResponseHead Head = new();
    public ChunkedDecoder Chunks;
    public BodyFraming Framing;
    public long Remaining;
    public int Received;
    public int Sent;
    public bool Connecting;
    public bool HeadDone;
    public bool Reused;
    public int Requests;
    public long LastUsed;

    /// <summary>upstream-keepalive-timeout in Stopwatch ticks, set when the connection goes idle.</summary>
    public long IdleTicks;

    /// <summary>The timer of the exchange (connect, or the backend's silence), in Stopwatch ticks.</summary>
    public long Deadline;
    public LoopClient? Owner;

    public void Start(LoopClient owner, bool reused)
    {
        Owner = owner;
        if (Buffer.Length == 0)
        {
            Buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        }

        Reused = reused;
        Received = Sent = 0;
        HeadDone = false;
        Chunks = default;
        Remaining = 0;
        Requests++;
    }

    /// <summary>Idle or closed: the buffer goes back to the pool (idle keep-alive connections hold none).</summary>
    public void ReleaseBuffer()
    {
        if (Buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(Buffer);
            Buffer = [];
        }
    }
}
