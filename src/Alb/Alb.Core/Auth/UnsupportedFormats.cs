namespace Alb.Core.Auth;

/// <summary>
/// Why a stored value that is none of the supported formats is refused, in one line that names the format
/// (by its prefix at most, never the value).
/// </summary>
internal static class UnsupportedFormats
{
    private const string Rehash = "rehash with htpasswd -B";
    private const int MaxQuotedId = 12;

    public static string Describe(string text)
    {
        if (text.StartsWith("{PLAIN}", StringComparison.Ordinal))
        {
            return $"plain-text passwords ({{PLAIN}}) are not supported; {Rehash}";
        }

        if (text.StartsWith('{'))
        {
            var close = text.IndexOf('}', StringComparison.Ordinal);
            return close > 1 && close <= MaxQuotedId && IsSafeId(text.AsSpan(1, close - 1))
                ? $"the {text[..(close + 1)]} scheme is not supported; {Rehash}"
                : $"an unknown {{...}} scheme is not supported; {Rehash}";
        }

        if (text.StartsWith('$'))
        {
            return DescribeModularCrypt(text);
        }

        if (text.Length == 20 && text[0] == '_' && CryptBase64.AllCryptChars(text.AsSpan(1)))
        {
            return $"extended DES crypt (_) is not supported (broken); {Rehash}";
        }

        if (text.Length == 13 && CryptBase64.AllCryptChars(text))
        {
            return $"DES crypt is not supported (8-character passwords, broken); {Rehash}";
        }

        return "not a recognised password hash (plain text is not accepted); supported: bcrypt ($2y$, $2a$, $2b$), $apr1$, $1$, $5$, $6$, {SHA}, {SSHA}";
    }

    private static string DescribeModularCrypt(string text)
    {
        var end = text.IndexOf('$', 1);
        var id = end > 1 ? text.AsSpan(1, end - 1) : text.AsSpan(1, Math.Min(text.Length - 1, MaxQuotedId + 1));
        var name = id switch
        {
            "y" => "yescrypt ($y$)",
            "gy" => "gost-yescrypt ($gy$)",
            "7" => "scrypt ($7$)",
            "3" => "NT hash ($3$)",
            "md5" => "Sun MD5 ($md5$)",
            "sha1" => "NetBSD SHA-1 crypt ($sha1$)",
            _ when id.StartsWith("argon2", StringComparison.Ordinal) && IsSafeId(id) => $"Argon2 (${id}$)",
            _ when end > 1 && id.Length <= MaxQuotedId && IsSafeId(id) => $"crypt scheme ${id}$",
            _ => "this $...$ crypt scheme",
        };
        return $"{name} is not supported; {Rehash}";
    }

    private static bool IsSafeId(ReadOnlySpan<char> id)
    {
        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return !id.IsEmpty;
    }
}
