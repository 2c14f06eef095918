using System.Text;

namespace Alb.Core.Http1;

/// <summary>Bounds on a request head, as alb gives Kestrel: <c>large-client-header-buffers</c> ("4 8k": each line within one
/// buffer, the whole head within all of them) and 100 fields.</summary>
public readonly record struct RequestLimits(int MaxLineBytes, int MaxHeadBytes, int MaxHeaders)
{
    public static RequestLimits Default { get; } = new(8 * 1024, 4 * 8 * 1024, 100);
}

/// <summary>
/// A parsed HTTP/1.x request head in origin form (<c>GET /path?query HTTP/1.1</c>): offsets into the caller's buffer,
/// reused from one request to the next (one per client connection), so parsing allocates nothing.
/// </summary>
public sealed class RequestHead : MessageHead
{
    public int MethodLength { get; internal set; }

    /// <summary>The request target: the path and the query, as sent.</summary>
    public int TargetStart { get; internal set; }

    public int TargetLength { get; internal set; }

    /// <summary>Bytes of the target before its '?' (all of it without a query).</summary>
    public int PathLength { get; internal set; }

    /// <summary>The one Host field's value (-1 before it is met).</summary>
    public int HostStart { get; internal set; } = -1;

    public int HostLength { get; internal set; }

    /// <summary>An Upgrade field, or "upgrade" among the Connection options (a protocol switch: WebSocket, h2c).</summary>
    public bool Upgrade => UpgradeField || ConnectionUpgrade;

    private bool UpgradeField { get; set; }

    /// <summary>An Expect field (100-continue: an interim answer before the body).</summary>
    public bool Expect { get; internal set; }

    public bool IsGet(ReadOnlySpan<byte> buffer) => buffer[..MethodLength].SequenceEqual("GET"u8);

    public bool IsHead(ReadOnlySpan<byte> buffer) => buffer[..MethodLength].SequenceEqual("HEAD"u8);

    /// <summary>How the request's body ends: none, a Content-Length, or chunked (a request has no close-delimited body).</summary>
    public BodyFraming Framing => Chunked ? BodyFraming.Chunked : ContentLength > 0 ? BodyFraming.ContentLength : BodyFraming.None;

    /// <summary>Whether the connection may carry another request after this one's answer.</summary>
    public bool KeepAlive => PersistentByVersion;

    internal override HeadError Field(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, int valueOffset)
    {
        if (Ascii.EqualsIgnoreCase(name, "Host"u8))
        {
            if (HostStart >= 0)
            {
                return HeadError.DuplicateHost;
            }

            if (!RequestHeadParser.IsHost(value))
            {
                return HeadError.BadHost;
            }

            HostStart = valueOffset;
            HostLength = value.Length;
        }
        else if (Ascii.EqualsIgnoreCase(name, "Upgrade"u8))
        {
            UpgradeField = true;
        }
        else if (Ascii.EqualsIgnoreCase(name, "Expect"u8))
        {
            Expect = true;
        }
        else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8) && MinorVersion == 0)
        {
            return HeadError.TransferEncodingInHttp10;
        }

        return HeadError.None;
    }

    internal override void Reset()
    {
        base.Reset();
        MethodLength = TargetStart = TargetLength = PathLength = HostLength = 0;
        HostStart = -1;
        UpgradeField = Expect = false;
    }
}
