using System.Buffers;
using System.Text;

namespace Alb.Core.Http1;

/// <summary>
/// The part of an HTTP/1.x head after the start line, for requests and responses alike, strictly: every line ends in
/// CRLF (a bare CR or LF is an error), no obs-fold, field names are tokens with the colon right after them, values
/// hold no control characters, one Content-Length of digits only, Transfer-Encoding only as a single "chunked" and
/// never beside a Content-Length. Over spans; allocates nothing.
/// </summary>
internal static class FieldLines
{
    public static readonly SearchValues<byte> Token = SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    /// <summary>Parses a start line at a line's bytes and their offset in the buffer.</summary>
    public delegate HeadError StartLine(ReadOnlySpan<byte> line, int offset, MessageHead head);

    /// <summary>
    /// Where the head at the start of <paramref name="buffer"/> ends (its length, the empty line included), or the
    /// error: <see cref="HeadError.Incomplete"/> while the empty line is not in the buffer and the limit not reached.
    /// </summary>
    public static HeadError End(ReadOnlySpan<byte> buffer, int maxHeadBytes, out int length)
    {
        length = 0;
        var end = buffer.IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            // A bare LF could end the head for a lenient reader: refuse it now rather than wait for more.
            var lf = -1;
            while (buffer[(lf + 1)..].IndexOf((byte)'\n') is var next and >= 0)
            {
                lf += next + 1;
                if (lf == 0 || buffer[lf - 1] != '\r')
                {
                    return HeadError.BareLineFeed;
                }
            }

            return buffer.Length >= maxHeadBytes ? HeadError.TooLarge : HeadError.Incomplete;
        }

        length = end + 4;
        return length > maxHeadBytes ? HeadError.TooLarge : HeadError.None;
    }

    /// <summary>
    /// Splits <paramref name="buffer"/>[..<paramref name="length"/>] into CRLF lines: the start line to
    /// <paramref name="startLine"/>, then each field line; <paramref name="asciiValues"/>: field values must be
    /// visible ASCII, space or tab (no obs-text).
    /// </summary>
    public static HeadError Walk(ReadOnlySpan<byte> buffer, int length, MessageHead head, int maxHeaders, bool asciiValues, StartLine startLine)
    {
        var lineStart = 0;
        var first = true;
        while (true)
        {
            var rest = buffer[lineStart..length];
            var lf = rest.IndexOf((byte)'\n');
            if (lf <= 0 || rest[lf - 1] != '\r')
            {
                return HeadError.BareLineFeed;
            }

            var line = rest[..(lf - 1)];
            if (line.Contains((byte)'\r'))
            {
                return HeadError.BareCarriageReturn;
            }

            if (line.IsEmpty)
            {
                if (first)
                {
                    return startLine(line, lineStart, head); // an empty line where the start line should be: its parser names the error
                }

                break; // the empty line: the head is complete
            }

            var error = first ? startLine(line, lineStart, head) : Field(line, lineStart, head, maxHeaders, asciiValues);
            if (error != HeadError.None)
            {
                return error;
            }

            first = false;
            lineStart += lf + 1;
        }

        if (head.Chunked && head.ContentLength >= 0)
        {
            return HeadError.TransferEncodingWithContentLength;
        }

        head.Length = length;
        return HeadError.None;
    }

    private static HeadError Field(ReadOnlySpan<byte> line, int offset, MessageHead head, int maxHeaders, bool asciiValues)
    {
        if (line[0] is (byte)' ' or (byte)'\t')
        {
            return HeadError.ObsFold;
        }

        var colon = line.IndexOf((byte)':');
        if (colon <= 0 || line[..colon].ContainsAnyExcept(Token))
        {
            return HeadError.BadHeaderName;
        }

        if (head.HeaderCount >= maxHeaders)
        {
            return HeadError.TooManyHeaders;
        }

        var value = line[(colon + 1)..];
        var start = 0;
        while (start < value.Length && value[start] is (byte)' ' or (byte)'\t')
        {
            start++;
        }

        var stop = value.Length;
        while (stop > start && value[stop - 1] is (byte)' ' or (byte)'\t')
        {
            stop--;
        }

        value = value[start..stop];
        foreach (var b in value)
        {
            if (b < 0x20 && b != '\t' || b == 0x7f || (asciiValues && b > 0x7f))
            {
                return HeadError.BadHeaderValue;
            }
        }

        var name = line[..colon];
        var valueOffset = offset + colon + 1 + start;
        var error = Framing(name, value, head);
        if (error == HeadError.None)
        {
            error = head.Field(name, value, valueOffset);
        }

        if (error != HeadError.None)
        {
            return error;
        }

        head.Add(new HeaderRange(offset, colon, valueOffset, value.Length));
        return HeadError.None;
    }

    /// <summary>The fields that decide the framing and the connection: checked as they are met.</summary>
    private static HeadError Framing(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, MessageHead head)
    {
        if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
        {
            if (head.ContentLength >= 0)
            {
                return HeadError.DuplicateContentLength;
            }

            if (value.IsEmpty || value.Length > 18 || value.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
            {
                return HeadError.BadContentLength;
            }

            long length = 0;
            foreach (var b in value)
            {
                length = (length * 10) + (b - '0');
            }

            head.ContentLength = length;
            return head.Chunked ? HeadError.TransferEncodingWithContentLength : HeadError.None;
        }

        if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
        {
            if (head.Chunked || !Ascii.EqualsIgnoreCase(value, "chunked"u8))
            {
                return HeadError.UnsupportedTransferEncoding;
            }

            head.Chunked = true;
            return head.ContentLength >= 0 ? HeadError.TransferEncodingWithContentLength : HeadError.None;
        }

        if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
        {
            foreach (var range in value.Split((byte)','))
            {
                var option = value[range].Trim(" \t"u8);
                if (Ascii.EqualsIgnoreCase(option, "close"u8))
                {
                    head.ConnectionClose = true;
                }
                else if (Ascii.EqualsIgnoreCase(option, "keep-alive"u8))
                {
                    head.ConnectionKeepAlive = true;
                }
                else if (Ascii.EqualsIgnoreCase(option, "upgrade"u8))
                {
                    head.ConnectionUpgrade = true;
                }
            }
        }

        return HeadError.None;
    }
}
