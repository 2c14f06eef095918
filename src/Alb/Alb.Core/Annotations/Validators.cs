namespace Alb.Core.Annotations;

/// <summary>
/// ingress-nginx's value validators (<c>internal/ingress/annotations/parser/validators.go</c>) as character-class
/// checks over spans: no regex per value, linear in the value's length. A value with CR or LF never validates.
/// </summary>
public static class Validators
{
    /// <summary><c>- . _ ~ a-z A-Z 0-9 / :</c>, the base set of ingress-nginx's validators.</summary>
    public static bool IsAlphaNumeric(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '.' or '_' or '~' or '/' or ':';

    /// <summary><c>URLIsValidRegex</c>: the base set plus <c>, ? &amp; =</c> (no <c>$ % # @</c>). Used by the redirect URLs.</summary>
    public static bool IsUrl(string value) => All(value, static c => IsAlphaNumeric(c) || c is ',' or '?' or '&' or '=');

    /// <summary><c>RegexPathWithCapture</c>: the base set plus <c>$</c> (capture references). Used by rewrite-target, app-root, x-forwarded-prefix.</summary>
    public static bool IsPathWithCapture(string value) => All(value, static c => IsAlphaNumeric(c) || c == '$');

    /// <summary><c>BasicCharsRegex</c>: the base set. Used by canary header and cookie names, custom-headers, Secret names.</summary>
    public static bool IsBasic(string value) => All(value, IsAlphaNumeric);

    /// <summary><c>CharsWithSpace</c>: the base set plus spaces. Used by auth-realm.</summary>
    public static bool IsCharsWithSpace(string value) => All(value, static c => IsAlphaNumeric(c) || c == ' ');

    /// <summary><c>HeadersVariable</c>: <c>A-Za-z0-9 - _ , space</c>. Used by cors-allow-headers.</summary>
    public static bool IsHeaderList(string value) =>
        All(value, static c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_' or ',' or ' ');

    /// <summary><c>ValidateServerName</c> / <c>IsValidRegex</c>: the base set plus regex characters, no space. Used by upstream-vhost, server-alias.</summary>
    public static bool IsServerName(string value) =>
        All(value.Trim(), static c => IsAlphaNumeric(c) || c is '^' or '$' or '[' or ']' or '(' or ')' or '{' or '}' or '*' or '+' or '?' or '|' or '&' or '=' or '\\');

    private static bool All(string value, Func<char, bool> allowed)
    {
        if (value.Length is 0 or > NginxValues.MaxValueLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!allowed(c))
            {
                return false;
            }
        }

        return true;
    }
}
