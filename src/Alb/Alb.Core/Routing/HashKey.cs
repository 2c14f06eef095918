using System.Text;

namespace Alb.Core.Routing;

/// <summary>What one part of an <c>upstream-hash-by</c> key reads from the request.</summary>
public enum HashKeyPart
{
    Text,
    RequestUri,
    Uri,
    Args,
    Host,
    RemoteAddr,
    Header,
    Cookie,
    Arg,
    Scheme,
    EscapedRequestUri,
    Method,
}

/// <summary>
/// An <c>upstream-hash-by</c> template (<c>$request_uri</c>, <c>$binary_remote_addr$http_x_user</c>, <c>user-$cookie_id</c>):
/// parsed once into parts, evaluated per request without allocation beyond the key. Only the variables below are
/// known; anything else is refused (alb has no nginx variables to fall back on).
/// </summary>
public static class HashKey
{
    public static bool TryParse(string template, out (HashKeyPart Part, string Value)[] parts, out string? reason)
    {
        var list = new List<(HashKeyPart, string)>();
        reason = null;
        var text = new StringBuilder();
        for (var i = 0; i < template.Length;)
        {
            var c = template[i];
            if (c != '$')
            {
                if (char.IsControl(c) || c is '"' or '\'' or ';' or '{' or '}' or '\\' or ' ')
                {
                    reason = $"character '{(char.IsControl(c) ? "\\u" + ((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture) : c)}' is not allowed";
                    parts = [];
                    return false;
                }

                text.Append(c);
                i++;
                continue;
            }

            var end = i + 1;
            while (end < template.Length && (char.IsAsciiLetterOrDigit(template[end]) || template[end] == '_'))
            {
                end++;
            }

            var name = template[(i + 1)..end];
            (HashKeyPart, string)? part = name switch
            {
                "request_uri" => (HashKeyPart.RequestUri, ""),
                "uri" or "document_uri" => (HashKeyPart.Uri, ""),
                "args" or "query_string" => (HashKeyPart.Args, ""),
                "host" or "http_host" => (HashKeyPart.Host, ""),
                "remote_addr" or "binary_remote_addr" => (HashKeyPart.RemoteAddr, ""),
                "scheme" or "pass_access_scheme" => (HashKeyPart.Scheme, ""),
                "escaped_request_uri" => (HashKeyPart.EscapedRequestUri, ""),
                "request_method" => (HashKeyPart.Method, ""),
                _ when name.StartsWith("http_", StringComparison.Ordinal) && name.Length > 5 => (HashKeyPart.Header, name[5..].Replace('_', '-')),
                _ when name.StartsWith("cookie_", StringComparison.Ordinal) && name.Length > 7 => (HashKeyPart.Cookie, name[7..]),
                _ when name.StartsWith("arg_", StringComparison.Ordinal) && name.Length > 4 => (HashKeyPart.Arg, name[4..]),
                _ => null,
            };
            if (part is null)
            {
                reason = $"\"${name}\" is not a variable alb evaluates ($request_uri, $escaped_request_uri, $uri, $args, $host, $scheme, $request_method, $remote_addr, $http_NAME, $cookie_NAME, $arg_NAME)";
                parts = [];
                return false;
            }

            if (text.Length > 0)
            {
                list.Add((HashKeyPart.Text, text.ToString()));
                text.Clear();
            }

            list.Add(part.Value);
            i = end;
        }

        if (text.Length > 0)
        {
            list.Add((HashKeyPart.Text, text.ToString()));
        }

        parts = [.. list];
        return parts.Length > 0 || (reason = "is empty") is null;
    }
}
