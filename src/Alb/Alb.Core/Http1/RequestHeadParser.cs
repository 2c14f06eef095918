using System.Buffers;

namespace Alb.Core.Http1;

/// <summary>
/// Parses an HTTP/1.x request head for a server of alb's own, and accepts only what is plainly well formed: a request
/// line <c>METHOD SP origin-form SP HTTP/1.1</c> (or 1.0) within <see cref="RequestLimits.MaxLineBytes"/>, a target of
/// RFC 3986 path and query characters with valid percent escapes (no fragment, no backslash, no space, no other
/// form), exactly one Host that is a name or IPv4 address with an optional port, field lines as
/// <see cref="FieldLines"/> says with visible-ASCII values, and the whole head within the limits. Anything else is an
/// error naming why, and the caller hands the connection to the general path (Kestrel) rather than answering it: the
/// accepted language is a strict subset of what Kestrel accepts, so a request never means one thing here and another
/// there. Over spans; allocates nothing.
/// </summary>
public static class RequestHeadParser
{
    // RFC 3986 pchar without '%' (checked with its two hex digits), plus '/' and '?' for the path and the query.
    private static readonly SearchValues<byte> TargetBytes = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/?"u8);
    private static readonly SearchValues<byte> HostBytes = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-."u8);

    /// <summary>
    /// Parses the head at the start of <paramref name="buffer"/> into <paramref name="head"/>. <see cref="HeadError.Incomplete"/>:
    /// the empty line is not in the buffer yet and no limit is reached.
    /// </summary>
    public static HeadError TryParse(ReadOnlySpan<byte> buffer, RequestHead head, RequestLimits limits)
    {
        head.Reset();
        var lineEnd = buffer.IndexOf("\r\n"u8);
        if (lineEnd < 0 ? buffer.Length >= limits.MaxLineBytes : lineEnd + 2 > limits.MaxLineBytes)
        {
            return HeadError.RequestLineTooLong;
        }

        var error = FieldLines.End(buffer, limits.MaxHeadBytes, out var length);
        if (error == HeadError.None)
        {
            error = FieldLines.Walk(buffer, length, head, limits.MaxHeaders, asciiValues: true, RequestLine);
        }

        if (error == HeadError.None && head.HostStart < 0)
        {
            error = HeadError.MissingHost;
        }

        if (error != HeadError.None)
        {
            head.Reset();
        }

        return error;
    }

    /// <summary>A Host value alb serves here: a DNS name or IPv4 address (letters, digits, '-', '.'), then an optional ':' and port.</summary>
    public static bool IsHost(ReadOnlySpan<byte> value)
    {
        var colon = value.IndexOf((byte)':');
        var name = colon < 0 ? value : value[..colon];
        if (name.IsEmpty || name.ContainsAnyExcept(HostBytes))
        {
            return false;
        }

        if (colon < 0)
        {
            return true;
        }

        var port = value[(colon + 1)..];
        return port.Length is >= 1 and <= 5 && !port.ContainsAnyExceptInRange((byte)'0', (byte)'9');
    }

    private static HeadError RequestLine(ReadOnlySpan<byte> line, int offset, MessageHead message)
    {
        var head = (RequestHead)message;
        var space = line.IndexOf((byte)' ');
        if (space <= 0 || line[..space].ContainsAnyExcept(FieldLines.Token))
        {
            return HeadError.BadRequestLine;
        }

        var rest = line[(space + 1)..];
        var second = rest.IndexOf((byte)' ');
        if (second <= 0)
        {
            return HeadError.BadRequestLine;
        }

        var version = rest[(second + 1)..];
        if (version.SequenceEqual("HTTP/1.1"u8))
        {
            head.MinorVersion = 1;
        }
        else if (version.SequenceEqual("HTTP/1.0"u8))
        {
            head.MinorVersion = 0;
        }
        else
        {
            return HeadError.BadVersion;
        }

        var target = rest[..second];
        if (target[0] != '/')
        {
            return HeadError.UnsupportedTarget; // absolute, authority or asterisk form: not here
        }

        var query = target.IndexOf((byte)'?');
        var path = query < 0 ? target : target[..query];
        if (!WellFormed(path) || !WellFormed(query < 0 ? [] : target[(query + 1)..]))
        {
            return HeadError.BadTarget;
        }

        if (path.Contains((byte)'%') || HasDotSegment(path))
        {
            // Kestrel decodes escapes in the path and removes "." and ".." segments: such a path goes to the general
            // path, so alb's routes see the same path either way.
            return HeadError.UnsupportedTarget;
        }

        head.MethodLength = space;
        head.TargetStart = offset + space + 1;
        head.TargetLength = target.Length;
        head.PathLength = path.Length;
        return HeadError.None;
    }

    /// <summary>Every byte an RFC 3986 path or query character, or '%' and two hex digits.</summary>
    private static bool WellFormed(ReadOnlySpan<byte> part)
    {
        while (part.IndexOfAnyExcept(TargetBytes) is var i and >= 0)
        {
            if (part[i] != '%' || i + 2 >= part.Length || !char.IsAsciiHexDigit((char)part[i + 1]) || !char.IsAsciiHexDigit((char)part[i + 2]))
            {
                return false;
            }

            part = part[(i + 3)..];
        }

        return true;
    }

    /// <summary>A "." or ".." segment: "/./", "/../", or either at the end.</summary>
    private static bool HasDotSegment(ReadOnlySpan<byte> path)
    {
        while (path.IndexOf("/."u8) is var i and >= 0)
        {
            var after = path[(i + 2)..];
            if (after.IsEmpty || after[0] == '/' || (after[0] == '.' && (after.Length == 1 || after[1] == '/')))
            {
                return true;
            }

            path = after;
        }

        return false;
    }
}
