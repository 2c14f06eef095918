using System.Text.RegularExpressions;

namespace Alb.Core.Routing;

/// <summary><c>canary-by-header-pattern</c> as ngx.re.match runs it: unanchored, case-sensitive; here on the non-backtracking engine.</summary>
public static class CanaryPattern
{
    public static bool TryCompile(string pattern, out Regex? regex)
    {
        try
        {
            regex = new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
            return true;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            regex = null;
            return false;
        }
    }
}
