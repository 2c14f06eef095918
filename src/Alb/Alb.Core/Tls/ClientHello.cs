using System.Buffers.Binary;
using System.Text;

namespace Alb.Core.Tls;

/// <summary>What reading the start of a TLS connection found.</summary>
public enum ClientHelloResult
{
    /// <summary>A ClientHello was read; the server name is set if it sent one.</summary>
    Complete,

    /// <summary>More bytes are needed (the ClientHello spans records or has not all arrived).</summary>
    NeedMore,

    /// <summary>Not a TLS ClientHello (or one bigger than the bound): hand the connection on unread.</summary>
    NotTls,
}

/// <summary>
/// Reads the SNI server name and whether ALPN offers <c>h2</c> from the first bytes of a TLS connection without
/// consuming them (ssl-passthrough peeks, then either splices the untouched bytes to a backend or lets alb's own TLS
/// read them; alb's loops give a client that offers HTTP/2 to Kestrel's TLS). Span-based, bounded to
/// <see cref="MaxHello"/> bytes, never throws on hostile input.
/// </summary>
public static class ClientHello
{
    /// <summary>The largest ClientHello considered (TLS allows 16 KiB records; a hello spanning more is refused).</summary>
    public const int MaxHello = 16 * 1024;

    public static ClientHelloResult TryReadServerName(ReadOnlySpan<byte> data, out string? serverName) => TryRead(data, out serverName, out _);

    /// <summary>As <see cref="TryReadServerName"/>, and whether the ALPN extension lists <c>h2</c>.</summary>
    public static ClientHelloResult TryRead(ReadOnlySpan<byte> data, out string? serverName, out bool offersHttp2)
    {
        serverName = null;
        offersHttp2 = false;
        if (data.Length < 5)
        {
            return data.Length > 0 && data[0] != 22 ? ClientHelloResult.NotTls : ClientHelloResult.NeedMore;
        }

        // TLS records of type handshake (22), version 3.x; the handshake may span several records: join their payloads.
        byte[]? hello = null;
        var handshake = ReadOnlySpan<byte>.Empty;
        var offset = 0;
        var assembled = new List<byte>();
        while (true)
        {
            if (data.Length - offset < 5)
            {
                return ClientHelloResult.NeedMore;
            }

            if (data[offset] != 22 || data[offset + 1] != 3)
            {
                return ClientHelloResult.NotTls;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 3)..]);
            if (length == 0 || assembled.Count + length > MaxHello)
            {
                return ClientHelloResult.NotTls;
            }

            if (data.Length - offset - 5 < length)
            {
                return ClientHelloResult.NeedMore;
            }

            assembled.AddRange(data.Slice(offset + 5, length));
            offset += 5 + length;
            if (assembled.Count >= 4)
            {
                if (assembled[0] != 1)
                {
                    return ClientHelloResult.NotTls; // the first handshake message must be a ClientHello
                }

                var helloLength = (assembled[1] << 16) | (assembled[2] << 8) | assembled[3];
                if (helloLength > MaxHello)
                {
                    return ClientHelloResult.NotTls;
                }

                if (assembled.Count >= 4 + helloLength)
                {
                    hello = [.. assembled];
                    handshake = hello.AsSpan(4, helloLength);
                    break;
                }
            }
        }

        return ParseHello(handshake, out serverName, out offersHttp2) ? ClientHelloResult.Complete : ClientHelloResult.NotTls;
    }

    private static bool ParseHello(ReadOnlySpan<byte> hello, out string? serverName, out bool offersHttp2)
    {
        serverName = null;
        offersHttp2 = false;
        var reader = new SpanReader(hello);
        if (!reader.Skip(2 + 32) || !reader.SkipVector(1) || !reader.SkipVector(2) || !reader.SkipVector(1))
        {
            return false; // version, random, session id, cipher suites, compression methods
        }

        if (reader.Remaining == 0)
        {
            return true; // no extensions: no server name
        }

        if (!reader.TryVector(2, out var extensions))
        {
            return false;
        }

        var ext = new SpanReader(extensions);
        while (ext.Remaining > 0)
        {
            if (!ext.TryUInt16(out var type) || !ext.TryVector(2, out var body))
            {
                return false;
            }

            if (type == 16)
            {
                // application_layer_protocol_negotiation: a vector of length-prefixed protocol names.
                var alpn = new SpanReader(body);
                if (!alpn.TryVector(2, out var protocols))
                {
                    return false;
                }

                var each = new SpanReader(protocols);
                while (each.Remaining > 0)
                {
                    if (!each.TryVector(1, out var protocol))
                    {
                        return false;
                    }

                    offersHttp2 |= protocol.SequenceEqual("h2"u8);
                }

                continue;
            }

            if (type != 0 || serverName is not null)
            {
                continue;
            }

            var names = new SpanReader(body);
            if (!names.TryVector(2, out var list))
            {
                return false;
            }

            var entries = new SpanReader(list);
            while (entries.Remaining > 0)
            {
                if (!entries.TryByte(out var nameType) || !entries.TryVector(2, out var name))
                {
                    return false;
                }

                if (nameType == 0 && name.Length is > 0 and <= 253 && IsHostName(name))
                {
                    serverName = Encoding.ASCII.GetString(name).ToLowerInvariant().TrimEnd('.');
                    break;
                }
            }
        }

        return true;
    }

    private static bool IsHostName(ReadOnlySpan<byte> name)
    {
        foreach (var b in name)
        {
            if (!(b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'.' or (byte)'_'))
            {
                return false;
            }
        }

        return true;
    }

    private ref struct SpanReader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _data = data;

        public readonly int Remaining => _data.Length;

        public bool Skip(int count)
        {
            if (_data.Length < count)
            {
                return false;
            }

            _data = _data[count..];
            return true;
        }

        public bool TryByte(out byte value)
        {
            value = 0;
            if (_data.Length < 1)
            {
                return false;
            }

            value = _data[0];
            _data = _data[1..];
            return true;
        }

        public bool TryUInt16(out int value)
        {
            value = 0;
            if (_data.Length < 2)
            {
                return false;
            }

            value = BinaryPrimitives.ReadUInt16BigEndian(_data);
            _data = _data[2..];
            return true;
        }

        public bool TryVector(int lengthBytes, out ReadOnlySpan<byte> vector)
        {
            vector = default;
            int length;
            if (lengthBytes == 1)
            {
                if (!TryByte(out var b))
                {
                    return false;
                }

                length = b;
            }
            else if (!TryUInt16(out length))
            {
                return false;
            }

            if (_data.Length < length)
            {
                return false;
            }

            vector = _data[..length];
            _data = _data[length..];
            return true;
        }

        public bool SkipVector(int lengthBytes) => TryVector(lengthBytes, out _);
    }
}
