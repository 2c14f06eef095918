using System.Buffers;
using System.Text;

namespace Alb.Core.Routing;

/// <summary>
/// The one normalisation of a request path that matching, authentication and forwarding all use, so no spelling of
/// a path reaches a backend under a route other than the one it was checked for: percent-decoded once (also
/// <c>%2F</c>), repeated slashes merged (nginx's <c>merge_slashes</c>), dot segments resolved after decoding. A
/// path with a backslash, a NUL or other control character, invalid UTF-8 or a <c>#</c> is refused (400): RFC 9112
/// allows none of them, and some backends read a backslash as a slash. For matching, path parameters
/// (<c>;jsessionid=..</c>) are cut from each segment, so <c>/admin;x</c> is matched as <c>/admin</c> by the route
/// that guards it; the forwarded path keeps them.
/// </summary>
public static class RequestPath
{
    private static readonly SearchValues<char> Suspicious = SearchValues.Create("%;\\#");
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Normalises <paramref name="rawPath"/> (the request target's path, as sent). <paramref name="forward"/> is the
    /// path to match and forward; <paramref name="match"/> the same without path parameters. False: answer 400.
    /// </summary>
    public static bool TryNormalize(string rawPath, out string forward, out string match)
    {
        forward = match = rawPath;
        if (rawPath.Length == 0 || rawPath[0] != '/')
        {
            return false;
        }

        if (!rawPath.AsSpan().ContainsAny(Suspicious) && !rawPath.Contains("//", StringComparison.Ordinal) && !rawPath.Contains("/.", StringComparison.Ordinal))
        {
            return !rawPath.AsSpan().ContainsAnyInRange('\0', '\u001f') && !rawPath.Contains('\u007f', StringComparison.Ordinal);
        }

        if (rawPath.Contains('#', StringComparison.Ordinal) || !TryDecode(rawPath, out var decoded))
        {
            return false;
        }

        foreach (var c in decoded)
        {
            if (c is '\\' or '\u007f' || char.IsControl(c))
            {
                return false;
            }
        }

        forward = Resolve(decoded, cutParameters: false);
        match = decoded.Contains(';', StringComparison.Ordinal) ? Resolve(decoded, cutParameters: true) : forward;
        return true;
    }

    /// <summary>Merges slashes and resolves <c>.</c> and <c>..</c> (never above the root); keeps a trailing slash.</summary>
    private static string Resolve(string path, bool cutParameters)
    {
        var segments = new List<string>();
        var parts = path.Split('/');
        for (var i = 1; i < parts.Length; i++)
        {
            var segment = cutParameters && parts[i].IndexOf(';', StringComparison.Ordinal) is var semi and >= 0 ? parts[i][..semi] : parts[i];
            switch (segment)
            {
                case "" or ".":
                    continue;
                case "..":
                    if (segments.Count > 0)
                    {
                        segments.RemoveAt(segments.Count - 1);
                    }

                    continue;
                default:
                    segments.Add(segment);
                    break;
            }
        }

        var trailing = path.Length > 1 && (path.EndsWith('/') || path.EndsWith("/.", StringComparison.Ordinal) || path.EndsWith("/..", StringComparison.Ordinal));
        var joined = "/" + string.Join('/', segments);
        return trailing && joined.Length > 1 ? joined + "/" : joined;
    }

    /// <summary>Percent-decodes once into UTF-8 text; false for a malformed escape or bytes that are not UTF-8.</summary>
    private static bool TryDecode(string path, out string decoded)
    {
        decoded = path;
        if (!path.Contains('%', StringComparison.Ordinal))
        {
            return true;
        }

        var bytes = new byte[Encoding.UTF8.GetMaxByteCount(path.Length)];
        var length = 0;
        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (c == '%')
            {
                if (i + 2 >= path.Length || !Uri.IsHexDigit(path[i + 1]) || !Uri.IsHexDigit(path[i + 2]))
                {
                    return false;
                }

                bytes[length++] = (byte)((Convert.ToInt32(path[i + 1].ToString(), 16) << 4) | Convert.ToInt32(path[i + 2].ToString(), 16));
                i += 2;
            }
            else
            {
                length += Encoding.UTF8.GetBytes(path.AsSpan(i, char.IsHighSurrogate(c) && i + 1 < path.Length ? 2 : 1), bytes.AsSpan(length));
                i += char.IsHighSurrogate(c) && i + 1 < path.Length ? 1 : 0;
            }
        }

        try
        {
            decoded = StrictUtf8.GetString(bytes, 0, length);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
