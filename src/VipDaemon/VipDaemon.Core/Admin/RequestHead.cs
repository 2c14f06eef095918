using System.Text;

namespace VipDaemon.Core.Admin;

/// <summary>
/// The head of one HTTP/1.x request to the admin endpoint, parsed over its bytes. Only what the endpoint uses is kept:
/// the method, the path (the query is dropped) and the Accept header (several are joined with commas).
/// </summary>
public readonly record struct RequestHead(string Method, string Path, string? Accept)
{
    private static ReadOnlySpan<byte> EndOfHead => "\r\n\r\n"u8;

    /// <summary>
    /// The length of the head (through its blank line) in <paramref name="received"/>, or -1 while it is incomplete.
    /// <paramref name="searchFrom"/> skips bytes already searched (the caller passes what it had before the last read).
    /// </summary>
    public static int FindEnd(ReadOnlySpan<byte> received, int searchFrom = 0)
    {
        var start = Math.Max(0, searchFrom - (EndOfHead.Length - 1));
        var at = received[start..].IndexOf(EndOfHead);
        return at < 0 ? -1 : start + at + EndOfHead.Length;
    }

    /// <summary>
    /// Parses a complete head (as delimited by <see cref="FindEnd"/>). Lines end in CRLF; the request line is
    /// <c>METHOD SP origin-form SP HTTP/1.0|HTTP/1.1</c>; header names are tokens followed at once by a colon; no folded
    /// lines, no control characters. On failure <paramref name="error"/> says what was wrong.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> head, out RequestHead request, out string? error)
    {
        request = default;
        var lineEnd = head.IndexOf("\r\n"u8);
        if (lineEnd < 0)
        {
            error = "no CRLF after the request line";
            return false;
        }

        if (!TryParseRequestLine(head[..lineEnd], out var method, out var path, out error))
        {
            return false;
        }

        string? accept = null;
        var rest = head[(lineEnd + 2)..];
        while (true)
        {
            var end = rest.IndexOf("\r\n"u8);
            if (end < 0)
            {
                error = "a header line without CRLF";
                return false;
            }

            var line = rest[..end];
            rest = rest[(end + 2)..];
            if (line.IsEmpty)
            {
                break;
            }

            if (!TryParseHeader(line, out var name, out var value, out error))
            {
                return false;
            }

            if (Ascii.EqualsIgnoreCase(name, "Accept"u8))
            {
                var text = Encoding.ASCII.GetString(value);
                accept = accept is null ? text : accept + "," + text;
            }
        }

        request = new RequestHead(method, path, accept);
        error = null;
        return true;
    }

    private static bool TryParseRequestLine(ReadOnlySpan<byte> line, out string method, out string path, out string? error)
    {
        method = path = "";
        var firstSpace = line.IndexOf((byte)' ');
        if (firstSpace <= 0 || !IsToken(line[..firstSpace]))
        {
            error = "the method is not a token followed by one space";
            return false;
        }

        var afterMethod = line[(firstSpace + 1)..];
        var secondSpace = afterMethod.IndexOf((byte)' ');
        if (secondSpace <= 0)
        {
            error = "no request target followed by one space";
            return false;
        }

        var target = afterMethod[..secondSpace];
        var version = afterMethod[(secondSpace + 1)..];
        if (!version.SequenceEqual("HTTP/1.1"u8) && !version.SequenceEqual("HTTP/1.0"u8))
        {
            error = "the version is not HTTP/1.1 or HTTP/1.0";
            return false;
        }

        if (target[0] != (byte)'/' || target.IndexOfAnyExceptInRange((byte)0x21, (byte)0x7e) >= 0)
        {
            error = "the target is not an origin-form path of visible ASCII";
            return false;
        }

        var query = target.IndexOf((byte)'?');
        method = Encoding.ASCII.GetString(line[..firstSpace]);
        path = Encoding.ASCII.GetString(query < 0 ? target : target[..query]);
        error = null;
        return true;
    }

    private static bool TryParseHeader(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value, out string? error)
    {
        value = default;
        var colon = line.IndexOf((byte)':');
        name = colon < 0 ? default : line[..colon];
        if (colon <= 0 || !IsToken(name))
        {
            error = "a header line is not a token name followed by a colon (or is folded)";
            return false;
        }

        value = line[(colon + 1)..].Trim(" \t"u8);
        foreach (var b in value)
        {
            if ((b < 0x20 && b != (byte)'\t') || b == 0x7f)
            {
                error = "a header value holds a control character";
                return false;
            }
        }

        error = null;
        return true;
    }

    /// <summary>RFC 9110 token: visible ASCII except delimiters.</summary>
    private static bool IsToken(ReadOnlySpan<byte> text)
    {
        foreach (var b in text)
        {
            if (b <= 0x20 || b >= 0x7f || "\"(),/:;<=>?@[\\]{}"u8.Contains(b))
            {
                return false;
            }
        }

        return !text.IsEmpty;
    }
}
