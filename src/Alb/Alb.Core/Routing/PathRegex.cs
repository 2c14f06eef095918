using System.Text.RegularExpressions;

namespace Alb.Core.Routing;

/// <summary>
/// Paths of a host in regex mode, as ingress-nginx writes them: <c>location ~* "^PATH"</c> (case-insensitive, anchored
/// at the start only) and, for rewrite-target, <c>rewrite "(?i)PATH" TARGET</c>. .NET's non-backtracking engine runs
/// them: linear time whatever the pattern, so no path can stall a request. Built at publish time, never per request.
/// </summary>
public static class PathRegex
{
    public const int MaxLength = 1024;

    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;

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
            _ = Search(normalized);
            return true;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            reason = $"\"{normalized}\" is not a regex the non-backtracking engine runs ({e.Message.TrimEnd('.')}); back-references and look-arounds are not supported";
            return false;
        }
    }

    /// <summary>The location regex: <c>^PATH</c>, case-insensitive.</summary>
    public static Regex Match(string path) => new("^" + path, Options);

    /// <summary>The rewrite regex: <c>PATH</c>, unanchored, case-insensitive; its groups feed <c>$1</c>..<c>$9</c>.</summary>
    public static Regex Search(string path) => new(path, Options);

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
