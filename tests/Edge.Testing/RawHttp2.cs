using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Edge.Testing;

/// <summary>
/// Raw HTTP/2 over TLS (ALPN h2), for requests HttpClient will not send: several requests with different
/// <c>:authority</c> values on one connection, or a <c>Host</c> header that disagrees with <c>:authority</c>. Header
/// blocks are written as HPACK literals without indexing or Huffman coding; answers are read far enough to know each
/// stream's status.
/// </summary>
public sealed class RawHttp2 : IAsyncDisposable
{
    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();
    private readonly SslStream _tls;
    private int _nextStream = 1;

    private RawHttp2(SslStream tls) => _tls = tls;

    /// <summary>Connects over TLS with ALPN h2 and sends the preface; <paramref name="clientCertificate"/> is offered when the server asks for one.</summary>
    public static async Task<RawHttp2> ConnectAsync(int port, string sni, X509Certificate2? clientCertificate = null)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port);
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = sni,
            ApplicationProtocols = [SslApplicationProtocol.Http2],
            RemoteCertificateValidationCallback = static (_, _, _, _) => true,
            ClientCertificates = clientCertificate is null ? null : [clientCertificate],
            LocalCertificateSelectionCallback = clientCertificate is null ? null : (_, _, _, _, _) => clientCertificate,
        });
        if (tls.NegotiatedApplicationProtocol != SslApplicationProtocol.Http2)
        {
            throw new InvalidOperationException("the server did not agree to h2");
        }

        var client = new RawHttp2(tls);
        await tls.WriteAsync(Preface);
        await client.WriteFrameAsync(0x4, 0, 0, []); // SETTINGS, empty
        return client;
    }

    /// <summary>Sends one request (END_STREAM) with these header fields in this order; returns its stream id.</summary>
    public async Task<int> SendAsync(params (string Name, string Value)[] fields)
    {
        var block = new MemoryStream();
        foreach (var (name, value) in fields)
        {
            block.WriteByte(0x00); // literal without indexing, new name
            WriteString(block, name);
            WriteString(block, value);
        }

        var stream = _nextStream;
        _nextStream += 2;
        await WriteFrameAsync(0x1, 0x4 | 0x1, stream, block.ToArray()); // HEADERS, END_HEADERS | END_STREAM
        return stream;
    }

    /// <summary>
    /// Reads frames until <paramref name="stream"/> gets its response HEADERS (returns the :status), is reset
    /// (returns -1), or the connection ends with GOAWAY or EOF (returns 0).
    /// </summary>
    public async Task<int> StatusAsync(int stream, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var head = new byte[9];
        while (true)
        {
            try
            {
                await _tls.ReadExactlyAsync(head, cts.Token);
            }
            catch (OperationCanceledException)
            {
                LastGoAway ??= "timeout";
                return 0;
            }
            catch (Exception e) when (e is EndOfStreamException or IOException)
            {
                LastGoAway ??= "connection closed: " + e.GetType().Name;
                return 0;
            }

            var length = (head[0] << 16) | (head[1] << 8) | head[2];
            var type = head[3];
            var id = BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(5)) & 0x7fffffff;
            var payload = new byte[length];
            await _tls.ReadExactlyAsync(payload, cts.Token);
            switch (type)
            {
                case 0x4 when (head[4] & 0x1) == 0:
                    await WriteFrameAsync(0x4, 0x1, 0, []); // ACK the server's SETTINGS
                    break;
                case 0x7:
                    LastGoAway = $"GOAWAY error {BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(4))}: {Encoding.ASCII.GetString(payload, 8, payload.Length - 8)}";
                    return 0; // GOAWAY
                case 0x3 when id == stream:
                    return -1; // RST_STREAM
                case 0x1 when id == stream:
                    return FirstStatus(payload, head[4]);
            }
        }
    }

    /// <summary>The error code and debug text of a GOAWAY the server sent, if any.</summary>
    public string? LastGoAway { get; private set; }

    public async ValueTask DisposeAsync() => await _tls.DisposeAsync();

    /// <summary>
    /// The :status of a response header block, with just enough HPACK to follow the server's dynamic table: indexed
    /// fields, literals with and without indexing, size updates. Huffman-coded strings are skipped (their value unread).
    /// </summary>
    private int FirstStatus(byte[] payload, byte flags)
    {
        var at = (flags & 0x8) != 0 ? 1 : 0; // PADDED
        at += (flags & 0x20) != 0 ? 5 : 0; // PRIORITY
        var status = 0;
        while (at < payload.Length)
        {
            var b = payload[at];
            if ((b & 0x80) != 0)
            {
                var (name, value) = Lookup(ReadInt(payload, ref at, 7));
                status = name == ":status" && status == 0 && int.TryParse(value, out var s) ? s : status;
            }
            else if ((b & 0xe0) == 0x20)
            {
                ReadInt(payload, ref at, 5); // dynamic table size update
            }
            else
            {
                var indexing = (b & 0xc0) == 0x40;
                var index = ReadInt(payload, ref at, indexing ? 6 : 4);
                var name = index == 0 ? ReadString(payload, ref at) : Lookup(index).Name;
                var value = ReadString(payload, ref at);
                if (indexing)
                {
                    _dynamic.Insert(0, (name, value));
                }

                status = name == ":status" && status == 0 && int.TryParse(value, out var s) ? s : status;
            }
        }

        return status;
    }

    private readonly List<(string Name, string Value)> _dynamic = [];

    private (string Name, string Value) Lookup(int index) => index switch
    {
        >= 8 and <= 14 => (":status", (index switch { 8 => 200, 9 => 204, 10 => 206, 11 => 304, 12 => 400, 13 => 404, _ => 500 }).ToString(System.Globalization.CultureInfo.InvariantCulture)),
        < 62 => ($"static:{index}", ""),
        _ => index - 62 < _dynamic.Count ? _dynamic[index - 62] : ("?", ""),
    };

    private static int ReadInt(byte[] data, ref int at, int prefix)
    {
        var mask = (1 << prefix) - 1;
        var value = data[at++] & mask;
        if (value < mask)
        {
            return value;
        }

        var shift = 0;
        byte b;
        do
        {
            b = data[at++];
            value += (b & 0x7f) << shift;
            shift += 7;
        }
        while ((b & 0x80) != 0);
        return value;
    }

    private static string ReadString(byte[] data, ref int at)
    {
        var huffman = (data[at] & 0x80) != 0;
        var length = ReadInt(data, ref at, 7);
        var text = huffman ? "(huffman)" : Encoding.ASCII.GetString(data, at, length);
        at += length;
        return text;
    }

    private static void WriteString(MemoryStream block, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        if (bytes.Length < 127)
        {
            block.WriteByte((byte)bytes.Length);
        }
        else
        {
            block.WriteByte(127);
            var rest = bytes.Length - 127;
            while (rest >= 128)
            {
                block.WriteByte((byte)((rest & 0x7f) | 0x80));
                rest >>= 7;
            }

            block.WriteByte((byte)rest);
        }

        block.Write(bytes);
    }

    private async Task WriteFrameAsync(byte type, byte flags, int stream, byte[] payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), stream);
        payload.CopyTo(frame, 9);
        await _tls.WriteAsync(frame);
        await _tls.FlushAsync();
    }
}
