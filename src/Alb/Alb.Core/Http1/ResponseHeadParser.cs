using System.Buffers;
using System.Text;

namespace Alb.Core.Http1;

/// <summary>
/// Parses an HTTP/1.x response head (status line, field lines, empty line) from a backend, strictly: every line ends
/// in CRLF (a bare CR or LF is an error), no obs-fold, field names are tokens with the colon right after them, values
/// hold no control characters, one Content-Length of digits only, Transfer-Encoding only as a single "chunked" and
/// never beside a Content-Length, and the head within <see cref="HeadLimits"/>. Over spans; allocates nothing.
/// </summary>
public static class ResponseHeadParser
{
    private static readonly SearchValues<byte> Token = SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    /// <summary>
    /// Parses the head at the start of <paramref name="buffer"/> into <paramref name="head"/>. <see cref="HeadError.Incomplete"/>:
    /// the empty line is not in the buffer yet and the limit is not reached.
    /// </summary>
    public static HeadError TryParse(ReadOnlySpan<byte> buffer, ResponseHead head, HeadLimits limits)
    {
        head.Reset();
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

            return buffer.Length >= limits.MaxHeadBytes ? HeadError.TooLarge : HeadError.Incomplete;
        }

        var length = end + 4;
        if (length > limits.MaxHeadBytes)
        {
            return HeadError.TooLarge;
        }

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
                break; // the empty line: the head is complete
            }

            var error = first ? StatusLine(line, lineStart, head) : FieldLine(line, lineStart, head, limits);
            if (error != HeadError.None)
            {
                return error;
            }

            first = false;
            lineStart += lf + 1;
        }

        if (first)
        {
            return HeadError.BadStatusLine; // an empty line where the status line should be
        }

        if (head.Chunked && head.ContentLength >= 0)
        {
            return HeadError.TransferEncodingWithContentLength;
        }

        head.Length = length;
        return HeadError.None;
    }

    private static HeadError StatusLine(ReadOnlySpan<byte> line, int offset, ResponseHead head)
    {
        // HTTP/1.x SP 3DIGIT [SP reason-phrase]
        if (line.Length < 12 || !line.StartsWith("HTTP/1."u8) || line[8] != ' ')
        {
            return line.StartsWith("HTTP/"u8) && line.Length >= 9 ? HeadError.BadVersion : HeadError.BadStatusLine;
        }

        if (line[7] is not ((byte)'0' or (byte)'1'))
        {
            return HeadError.BadVersion;
        }

        var code = line.Slice(9, 3);
        if (!char.IsAsciiDigit((char)code[0]) || !char.IsAsciiDigit((char)code[1]) || !char.IsAsciiDigit((char)code[2]))
        {
            return HeadError.BadStatusCode;
        }

        var status = ((code[0] - '0') * 100) + ((code[1] - '0') * 10) + (code[2] - '0');
        if (status is < 100 or > 599)
        {
            return HeadError.BadStatusCode;
        }

        var reasonStart = 12;
        if (line.Length > 12)
        {
            if (line[12] != ' ')
            {
                return HeadError.BadStatusCode;
            }

            reasonStart = 13;
            foreach (var b in line[13..])
            {
                if (b < 0x20 && b != '\t' || b == 0x7f)
                {
                    return HeadError.BadStatusLine;
                }
            }
        }

        head.MinorVersion = line[7] - '0';
        head.Status = status;
        head.ReasonStart = offset + reasonStart;
        head.ReasonLength = line.Length - reasonStart;
        return HeadError.None;
    }

    private static HeadError FieldLine(ReadOnlySpan<byte> line, int offset, ResponseHead head, HeadLimits limits)
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

        if (head.HeaderCount >= limits.MaxHeaders)
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
            if (b < 0x20 && b != '\t' || b == 0x7f)
            {
                return HeadError.BadHeaderValue;
            }
        }

        var name = line[..colon];
        var error = Framing(name, value, head);
        if (error != HeadError.None)
        {
            return error;
        }

        head.Add(new HeaderRange(offset, colon, offset + colon + 1 + start, value.Length));
        return HeadError.None;
    }

    /// <summary>The fields that decide the framing and the connection: checked as they are met.</summary>
    private static HeadError Framing(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, ResponseHead head)
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
            }
        }

        return HeadError.None;
    }
}
