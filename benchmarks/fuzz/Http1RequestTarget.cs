using Alb.Core.Http1;

namespace Alb.Fuzz;

/// <summary>
/// The third target (TARGET=http1-request): the request head parser of alb's own HTTP/1.1 server (Alb.Core/Http1).
/// The input's first byte chooses the limits and how the bytes are split into reads; the rest is what a client sent.
/// A run crashes when an exception escapes or an accepted head breaks what the parser promises: offsets inside the
/// input, a target in origin form with no byte Kestrel would read differently (no escape or dot segment in the path,
/// no fragment, space, backslash or control byte), one valid Host, no Content-Length beside chunked, the limits
/// kept, and the same head when read in pieces or alone.
/// </summary>
public static class Http1RequestTarget
{
    private static readonly RequestHead Head = new();
    private static readonly RequestHead Again = new();

    public static void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length == 0)
        {
            return;
        }

        var control = input[0];
        var data = input[1..];
        var piece = 1 + (control & 0x3F);
        var limits = (control & 0x40) != 0 ? new RequestLimits(64, 160, 6) : RequestLimits.Default;
        if (RequestHeadParser.TryParse(data, Head, limits) != HeadError.None)
        {
            Check(Head.Length == 0 && Head.HeaderCount == 0 && Head.HostStart == -1, "a refused head left fields set", data);
            return;
        }

        Check(Head.Length >= 4 && Head.Length <= data.Length && Head.Length <= limits.MaxHeadBytes, "head length", data);
        Check(Head.HeaderCount is >= 1 && Head.HeaderCount <= limits.MaxHeaders, "field count", data);
        Check(data.IndexOf("\r\n"u8) + 2 <= limits.MaxLineBytes, "request line limit", data);
        var target = data.Slice(Head.TargetStart, Head.TargetLength);
        Check(Head.MethodLength > 0 && Head.TargetStart == Head.MethodLength + 1 && target.Length > 0 && target[0] == '/', "origin form", data);
        Check(Head.PathLength >= 1 && Head.PathLength <= target.Length, "path length", data);
        foreach (var b in target)
        {
            Check(b > 0x20 && b < 0x7f && b is not ((byte)'#' or (byte)'\\' or (byte)'"' or (byte)'<' or (byte)'>'), "target byte", data);
        }

        var path = target[..Head.PathLength];
        Check(!path.Contains((byte)'%') && path.IndexOf("/./"u8) < 0 && path.IndexOf("/../"u8) < 0 && !path.EndsWith("/."u8) && !path.EndsWith("/.."u8), "path Kestrel would rewrite", data);
        Check(Head.HostStart > 0 && RequestHeadParser.IsHost(data.Slice(Head.HostStart, Head.HostLength)), "host", data);
        Check(!(Head.Chunked && Head.ContentLength >= 0), "Content-Length with chunked", data);
        foreach (var field in Head.Headers)
        {
            Check(field.NameLength > 0 && field.NameStart + field.NameLength <= Head.Length, "name", data);
            Check(field.ValueStart >= field.NameStart + field.NameLength && field.ValueStart + field.ValueLength <= Head.Length, "value", data);
            foreach (var b in data.Slice(field.ValueStart, field.ValueLength))
            {
                Check(b == '\t' || b is >= 0x20 and < 0x7f, "value byte", data);
            }
        }

        // As a server reads it: growing prefixes give Incomplete until the whole head, then the same head.
        for (var end = piece; end < Head.Length; end += piece)
        {
            var early = RequestHeadParser.TryParse(data[..end], Again, limits);
            Check(early == HeadError.Incomplete, "prefix " + early, data);
        }

        Check(RequestHeadParser.TryParse(data[..Head.Length], Again, limits) == HeadError.None
            && Again.TargetStart == Head.TargetStart && Again.TargetLength == Head.TargetLength && Again.HostStart == Head.HostStart
            && Again.ContentLength == Head.ContentLength && Again.Chunked == Head.Chunked && Again.HeaderCount == Head.HeaderCount, "head alone", data);
    }

    private static void Check(bool condition, string what, ReadOnlySpan<byte> input) => Http1Target.Check("http1-request", condition, what, input);

    /// <summary>Valid request heads, each behind a control byte (split in reads of 1 and 7 bytes, and the small limits).</summary>
    public static List<byte[]> Seeds()
    {
        string[] texts =
        [
            "GET / HTTP/1.1\r\nHost: app.example.com\r\n\r\n",
            "GET /shop/cart?id=7&x=%2F HTTP/1.1\r\nHost: app.example.com:8080\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n",
            "POST /api/v1/items HTTP/1.1\r\nHost: 10.0.0.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello",
            "PUT /u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive, close\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            "GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
            "HEAD /x;p=1/y HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n",
        ];
        return Http1Target.WithControls(texts);
    }

    public static string[] Tokens { get; } =
    [
        "GET ", "POST ", " HTTP/1.1", " HTTP/1.0", "\r\n", "\r\n\r\n", "Host: ", "Content-Length: ", "Transfer-Encoding: chunked",
        "Connection: close", "Connection: keep-alive", "Upgrade: ", "Expect: 100-continue", "/../", "/./", "%2e", "%2F", "?",
        "#", "\\", ": ", " \t", "http://", "*",
    ];
}
