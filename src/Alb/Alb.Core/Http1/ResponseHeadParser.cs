namespace Alb.Core.Http1;

/// <summary>
/// Parses an HTTP/1.x response head (status line, field lines, empty line) from a backend, strictly (the field lines
/// as <see cref="FieldLines"/> says), and the head within <see cref="HeadLimits"/>. Over spans; allocates nothing.
/// </summary>
public static class ResponseHeadParser
{
    /// <summary>
    /// Parses the head at the start of <paramref name="buffer"/> into <paramref name="head"/>. <see cref="HeadError.Incomplete"/>:
    /// the empty line is not in the buffer yet and the limit is not reached.
    /// </summary>
    public static HeadError TryParse(ReadOnlySpan<byte> buffer, ResponseHead head, HeadLimits limits)
    {
        head.Reset();
        var error = FieldLines.End(buffer, limits.MaxHeadBytes, out var length);
        return error != HeadError.None ? error : FieldLines.Walk(buffer, length, head, limits.MaxHeaders, asciiValues: false, StatusLine);
    }

    private static HeadError StatusLine(ReadOnlySpan<byte> line, int offset, MessageHead message)
    {
        // HTTP/1.x SP 3DIGIT [SP reason-phrase]
        var head = (ResponseHead)message;
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
}
