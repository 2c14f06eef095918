using System.Text.RegularExpressions;

namespace Alb.Core.Routing;

/// <summary>
/// Paths of a host in regex mode, as ingress-nginx writes them: <c>location ~* "^PATH"</c> (case-insensitive, anchored
/// at the start only); rewrite-target takes <c>$1</c>.. from the same match (nginx's unanchored rewrite regex matches
/// at the same place, since the location already matched at the start). Built at publish time, never per request.
/// <para>
/// No path can stall a request. A <em>simple</em> pattern (no quantified group, at most one unbounded quantifier, no
/// back-reference or look-around) runs on the interpreter: anchored at the start, its backtracking is linear in the
/// path, and a 100 ms match timeout stands behind that. Every other pattern runs on the non-backtracking engine
/// (linear whatever the pattern, but ~250 KiB and ~2 ms to build each, measured; so only where it is needed).
/// </para>
/// </summary>
public static class PathRegex
{
    public const int MaxLength = 1024;

    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;

    /// <summary>Whether an Ingress path can be a regex path: starts with '/', no control characters or quotes, compiles.</summary>
    public static bool TryValidate(string? path, out string normalized, out string? reason)
    {
        normalized = string.IsNullOrEmpty(path) ? "/" : path;
        reason = null;
        if (normalized[0] != '/')
        {
            reason = $"\"{normalized}\" must start with '/'";
            return false;
        }

        if (normalized.Length > MaxLength || normalized.Any(c => char.IsControl(c) || c is '"' or '\''))
        {
            reason = $"\"{Annotations.AnnotationText.Shown(normalized)}\" is longer than {MaxLength} characters or holds control characters or quotes";
            return false;
        }

        try
        {
            _ = Match(normalized);
            return true;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            reason = $"\"{normalized}\" is not a regex the non-backtracking engine runs ({e.Message.TrimEnd('.')}); back-references and look-arounds are not supported";
            return false;
        }
    }

    /// <summary>The location regex: <c>^PATH</c>, case-insensitive; its groups feed rewrite-target's <c>$1</c>..<c>$9</c>.</summary>
    public static Regex Match(string path) => IsSimple(path)
        ? new Regex("^" + path, Options, MatchTimeout)
        : new Regex("^" + path, Options | RegexOptions.NonBacktracking);

    /// <summary>Whether the pattern can only backtrack linearly (see the type's remarks): the interpreter may run it.</summary>
    public static bool IsSimple(string pattern)
    {
        var unbounded = 0;
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\')
            {
                if (i + 1 < pattern.Length && (char.IsAsciiDigit(pattern[i + 1]) && pattern[i + 1] != '0' || pattern[i + 1] == 'k'))
                {
                    return false; // a back-reference
                }

                i++;
                continue;
            }

            if (inClass)
            {
                inClass = c != ']';
                continue;
            }

            switch (c)
            {
                case '[':
                    inClass = true;
                    break;
                case '(' when i + 1 < pattern.Length && pattern[i + 1] == '?' && !(i + 2 < pattern.Length && pattern[i + 2] == ':'):
                    return false; // a look-around, named group, atomic group, conditional or inline option
                case ')' when i + 1 < pattern.Length && pattern[i + 1] is '*' or '+' or '?' or '{':
                    return false; // a quantified group
                case '*' or '+':
                    unbounded++;
                    break;
                case '{' when pattern.IndexOf('}', i) is var close and > 0 && pattern.AsSpan(i, close - i).EndsWith(","):
                    unbounded++;
                    break;
            }
        }

        return unbounded <= 1;
    }

    /// <summary>nginx's rewrite: the whole path becomes <paramref name="target"/> with <c>$N</c> replaced by group N (empty when absent).</summary>
    public static string Substitute(string target, Match match)
    {
        if (!target.Contains('$', StringComparison.Ordinal))
        {
            return target;
        }

        var builder = new System.Text.StringBuilder(target.Length + 32);
        for (var i = 0; i < target.Length; i++)
        {
            if (target[i] == '$' && i + 1 < target.Length && target[i + 1] is >= '0' and <= '9')
            {
                var group = match.Groups[target[i + 1] - '0'];
                if (group.Success)
                {
                    builder.Append(group.ValueSpan);
                }

                i++;
            }
            else
            {
                builder.Append(target[i]);
            }
        }

        return builder.ToString();
    }
}
