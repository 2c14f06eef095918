using System.Text;
using Alb.Core.Http1;

namespace Alb.Fuzz;

/// <summary>
/// The second target (TARGET=http1): alb's lean client's response-head parser and chunked decoder (Alb.Core/Http1).
/// The input's first byte chooses the limits and how the bytes are split into reads; the rest is what a backend sent.
/// A run crashes when an exception escapes or an invariant breaks: an offset outside the input, Content-Length with
/// chunked, a head that parses differently when read in pieces, or decoded data that differ between two splittings.
/// </summary>
public static class Http1Target
{
    private static readonly ResponseHead Head = new();
    private static readonly ResponseHead Again = new();

    public static void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length == 0)
        {
            return;
        }

        var control = input[0];
        var data = input[1..];
        var piece = 1 + (control & 0x3F);
        var limits = (control & 0x40) != 0 ? new HeadLimits(128, 8) : HeadLimits.Default;
        var error = ResponseHeadParser.TryParse(data, Head, limits);
        if (error == HeadError.None)
        {
            Check(Head.Length >= 4 && Head.Length <= data.Length, "head length", data);
            Check(Head.Length <= limits.MaxHeadBytes && Head.HeaderCount <= limits.MaxHeaders, "limits", data);
            Check(Head.ReasonStart >= 0 && Head.ReasonStart + Head.ReasonLength <= Head.Length, "reason", data);
            Check(Head.Status is >= 100 and <= 999, "status", data);
            foreach (var field in Head.Headers)
            {
                Check(field.NameLength > 0 && field.NameStart >= 0 && field.NameStart + field.NameLength <= Head.Length, "name", data);
                Check(field.ValueStart >= field.NameStart + field.NameLength && field.ValueStart + field.ValueLength <= Head.Length, "value", data);
            }

            Check(!(Head.Chunked && Head.ContentLength >= 0), "Content-Length with chunked", data);

            // As the forwarder reads it: growing prefixes give Incomplete until the whole head, then the same head.
            for (var end = piece; end < Head.Length; end += piece)
            {
                var early = ResponseHeadParser.TryParse(data[..end], Again, limits);
                Check(early == HeadError.Incomplete, "prefix " + early, data);
            }

            Check(ResponseHeadParser.TryParse(data[..Head.Length], Again, limits) == HeadError.None
                && Again.Status == Head.Status && Again.ContentLength == Head.ContentLength && Again.Chunked == Head.Chunked
                && Again.HeaderCount == Head.HeaderCount, "head alone", data);
            if (Head.Framing(headRequest: false) == BodyFraming.Chunked)
            {
                Decode(data[Head.Length..], piece, data);
            }

            return;
        }

        // Not a head: the same bytes as a chunked body.
        Decode(data, piece, data);
    }

    private static void Decode(ReadOnlySpan<byte> body, int piece, ReadOnlySpan<byte> input)
    {
        var whole = DecodeInPieces(body, body.Length == 0 ? 1 : body.Length, input);
        var split = DecodeInPieces(body, piece, input);
        Check(whole.Result == split.Result && whole.Data == split.Data && whole.Consumed == split.Consumed, "split changes the decoding", input);
    }

    private static (ChunkResult Result, string Data, int Consumed) DecodeInPieces(ReadOnlySpan<byte> body, int piece, ReadOnlySpan<byte> input)
    {
        var decoder = default(ChunkedDecoder);
        var data = new StringBuilder();
        var offset = 0;
        var result = ChunkResult.NeedMore;
        while (offset < body.Length)
        {
            var end = Math.Min(body.Length, offset + piece);
            var at = offset;
            while (at < end)
            {
                result = decoder.Decode(body[at..end], out var consumed, out var start, out var length);
                Check(consumed >= 0 && consumed <= end - at, "consumed", input);
                Check(start >= 0 && length >= 0 && start + length <= consumed, "data range", input);
                if (result == ChunkResult.Data)
                {
                    data.Append(Encoding.Latin1.GetString(body.Slice(at + start, length)));
                }

                at += consumed;
                if (result is ChunkResult.Done or ChunkResult.Error)
                {
                    return (result, data.ToString(), at);
                }

                Check(consumed > 0 || result == ChunkResult.NeedMore, "no progress", input);
                if (consumed == 0)
                {
                    break;
                }
            }

            offset = end;
        }

        return (ChunkResult.NeedMore, data.ToString(), offset);
    }

    private static void Check(bool condition, string what, ReadOnlySpan<byte> input) => Check("http1", condition, what, input);

    /// <summary>Throws (a crash for afl-fuzz) when an invariant of <paramref name="target"/> does not hold, with the input's start.</summary>
    internal static void Check(string target, bool condition, string what, ReadOnlySpan<byte> input)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"{target} invariant broken ({what}): {Encoding.Latin1.GetString(input[..Math.Min(input.Length, 200)])}");
        }
    }

    /// <summary>Valid heads and bodies, each behind a control byte (split in reads of 1 and 7 bytes).</summary>
    public static List<byte[]> Seeds()
    {
        string[] texts =
        [
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive, close\r\n\r\n5;a=b\r\nhello\r\n0\r\nX-T: 1\r\n\r\n",
            "HTTP/1.0 103 Early\r\nLink: </a>\r\n\r\n",
            "HTTP/1.1 204 No Content\r\nServer: x\r\n\r\n",
            "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 404 Not Found\r\nDate: Sat, 05 Dec 2026 05:00:00 GMT\r\nSet-Cookie: a=b\r\nSet-Cookie: c=d\r\nContent-Length: 5\r\n\r\nnope!",
            "A\r\n0123456789\r\n1\r\n \r\n0\r\n\r\n",
            "ffffffff;x\r\nab",
        ];
        return WithControls(texts);
    }

    /// <summary>Each text behind the control bytes 0x00, 0x06 and 0x40 (reads of 1 and 7 bytes, and the small limits).</summary>
    internal static List<byte[]> WithControls(string[] texts) =>
        [.. texts.SelectMany(text => new byte[] { 0x00, 0x06, 0x40 }.Select(control => (byte[])[control, .. Encoding.Latin1.GetBytes(text)]))];

    public static string[] Tokens { get; } =
    [
        "HTTP/1.1 ", "HTTP/1.0 ", "\r\n", "\r\n\r\n", "Content-Length: ", "Transfer-Encoding: chunked", "Transfer-Encoding: ",
        "Connection: close", "Connection: keep-alive", " \t", "0\r\n\r\n", ";ext=1", "ffffffffffffffff", "100 Continue", "101 ", ": ",
    ];
}
