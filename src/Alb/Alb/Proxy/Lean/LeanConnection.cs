using System.Net.Sockets;
using Alb.Core.Http1;

namespace Alb.Proxy.Lean;

/// <summary>One upstream HTTP/1.1 connection: the socket, its receive buffer and the parsed head it reuses.</summary>
internal sealed class LeanConnection(Socket socket) : IDisposable
{
    public const int BufferSize = 16 * 1024;

    public Socket Socket { get; } = socket;

    public byte[] Buffer { get; set; } = GC.AllocateUninitializedArray<byte>(BufferSize);

    public ResponseHead Head { get; } = new();

    /// <summary>Cancelled by the activity timeout or the client going away; reset between requests.</summary>
    public CancellationTokenSource Cancel { get; } = new();

    public int Requests { get; set; }

    private readonly string?[] _values = new string?[ResponseFields.Count];

    /// <summary>A known field's value as a string, the previous answer's when its bytes are the same (Date, Server, Content-Type...).</summary>
    public string Value(int known, ReadOnlySpan<byte> value)
    {
        if (known < 0)
        {
            return System.Text.Encoding.Latin1.GetString(value);
        }

        var last = _values[known];
        if (last is not null && System.Text.Ascii.Equals(value, last))
        {
            return last;
        }

        return _values[known] = System.Text.Encoding.Latin1.GetString(value);
    }

    public long LastUsed { get; set; }

    public void Dispose()
    {
        Socket.Dispose();
        Cancel.Dispose();
    }
}
