namespace Alb.Core.Http1;

/// <summary>Why a head was not accepted (<see cref="HeadError.Incomplete"/>: read more and parse again).</summary>
public enum HeadError
{
    None,
    Incomplete,
    TooLarge,
    BadStatusLine,
    BadVersion,
    BadStatusCode,
    BareLineFeed,
    BareCarriageReturn,
    ObsFold,
    BadHeaderName,
    BadHeaderValue,
    TooManyHeaders,
    BadContentLength,
    DuplicateContentLength,
    TransferEncodingWithContentLength,
    UnsupportedTransferEncoding,

    // Requests only (RequestHeadParser).
    BadRequestLine,
    RequestLineTooLong,
    BadTarget,
    UnsupportedTarget,
    MissingHost,
    DuplicateHost,
    BadHost,
    TransferEncodingInHttp10,
}

/// <summary>How the body after a head ends (RFC 9112 §6.3).</summary>
public enum BodyFraming
{
    None,
    ContentLength,
    Chunked,
    UntilClose,
}

/// <summary>One field line of a parsed head, as offsets into the parsed buffer (value without surrounding whitespace).</summary>
public readonly record struct HeaderRange(int NameStart, int NameLength, int ValueStart, int ValueLength);

/// <summary>Bounds the parser enforces; the defaults match alb's YARP path (64 KiB of response head).</summary>
public readonly record struct HeadLimits(int MaxHeadBytes, int MaxHeaders)
{
    public static HeadLimits Default { get; } = new(64 * 1024, 256);
}

/// <summary>
/// What a request head and a response head share: the field lines as offsets into the caller's buffer, and the fields
/// that decide the framing and the connection, checked as they are met (<see cref="FieldLines"/>). Reused from one
/// message to the next, so parsing allocates nothing.
/// </summary>
public abstract class MessageHead
{
    private HeaderRange[] _headers = new HeaderRange[16];

    /// <summary>Bytes of the head, up to and including the empty line.</summary>
    public int Length { get; internal set; }

    /// <summary>0 for HTTP/1.0, 1 for HTTP/1.1.</summary>
    public int MinorVersion { get; internal set; }

    public int HeaderCount { get; internal set; }

    /// <summary>-1 when the head has no Content-Length.</summary>
    public long ContentLength { get; internal set; } = -1;

    public bool Chunked { get; internal set; }

    /// <summary>Connection: close.</summary>
    public bool ConnectionClose { get; internal set; }

    /// <summary>Connection: keep-alive (what an HTTP/1.0 message needs for its connection to be kept).</summary>
    public bool ConnectionKeepAlive { get; internal set; }

    /// <summary>Connection: upgrade (a protocol switch is asked for or made).</summary>
    public bool ConnectionUpgrade { get; internal set; }

    public ReadOnlySpan<HeaderRange> Headers => _headers.AsSpan(0, HeaderCount);

    /// <summary>A field the head's own parser looks at (request: Host, Upgrade, Expect); the framing fields are seen first.</summary>
    internal virtual HeadError Field(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, int valueOffset) => HeadError.None;

    internal virtual void Reset()
    {
        Length = MinorVersion = HeaderCount = 0;
        ContentLength = -1;
        Chunked = ConnectionClose = ConnectionKeepAlive = ConnectionUpgrade = false;
    }

    /// <summary>What the version and the Connection options say of keeping the connection (HTTP/1.1 unless close; 1.0 only with keep-alive).</summary>
    private protected bool PersistentByVersion => !ConnectionClose && (MinorVersion == 1 || ConnectionKeepAlive);

    internal void Add(HeaderRange header)
    {
        if (HeaderCount == _headers.Length)
        {
            Array.Resize(ref _headers, _headers.Length * 2);
        }

        _headers[HeaderCount++] = header;
    }
}

/// <summary>A parsed HTTP/1.x response head: offsets into the caller's buffer, reused from one response to the next (one per upstream connection).</summary>
public sealed class ResponseHead : MessageHead
{
    public int Status { get; internal set; }

    public int ReasonStart { get; internal set; }

    public int ReasonLength { get; internal set; }

    /// <summary>1xx: an interim answer; the final one follows on the same connection.</summary>
    public bool IsInterim => Status is >= 100 and < 200;

    /// <summary>The body's framing; <paramref name="headRequest"/>: the request was HEAD, so no body follows whatever the head says.</summary>
    public BodyFraming Framing(bool headRequest) =>
        headRequest || IsInterim || Status is 204 or 304 ? BodyFraming.None
        : Chunked ? BodyFraming.Chunked
        : ContentLength >= 0 ? BodyFraming.ContentLength
        : BodyFraming.UntilClose;

    /// <summary>Whether the connection may carry another request once this answer's body was read to its end.</summary>
    public bool KeepAlive(bool headRequest) => PersistentByVersion && Framing(headRequest) != BodyFraming.UntilClose;

    internal override void Reset()
    {
        base.Reset();
        Status = ReasonStart = ReasonLength = 0;
    }
}
