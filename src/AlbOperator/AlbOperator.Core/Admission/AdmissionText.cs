using System.Text;
using Alb.Core.Diagnostics;

namespace AlbOperator.Core.Admission;

/// <summary>
/// The text of a decision. The refusal message lists each refusing diagnostic as <c>CODE Ingress ns/name field:
/// message</c>, one per line, within <see cref="MaxMessage"/> characters. Warnings drop the object (it is the one being
/// applied) and stay within the API server's limits: it may truncate a warning past 256 characters, and all of them
/// past 4096.
/// </summary>
internal static class AdmissionText
{
    public const int MaxMessage = 3072;
    public const int MaxLine = 1024;
    public const int MaxWarning = 256;
    public const int MaxWarnings = 15;

    public static string Line(Diagnostic d) =>
        d.Field is null ? $"{d.Code} {d.Object}: {d.Message}" : $"{d.Code} {d.Object} {d.Field}: {d.Message}";

    public static string WarningLine(Diagnostic d) =>
        Bound(d.Field is null ? $"{d.Code}: {d.Message}" : $"{d.Code} {d.Field}: {d.Message}", MaxWarning);

    public static string Message(string lead, IReadOnlyList<string> lines)
    {
        const int reserve = 64; // room for the "... and N more" line
        var text = new StringBuilder(lead);
        for (var i = 0; i < lines.Count; i++)
        {
            var line = "\n" + Bound(lines[i], MaxLine);
            if (text.Length + line.Length + (i == lines.Count - 1 ? 0 : reserve) > MaxMessage)
            {
                text.Append("\n... and ").Append(lines.Count - i).Append(" more (alb validate lists them all)");
                break;
            }

            text.Append(line);
        }

        return text.ToString();
    }

    public static IReadOnlyList<string> Warnings(IEnumerable<string> lines)
    {
        var all = lines.Distinct(StringComparer.Ordinal).ToList();
        return all.Count <= MaxWarnings
            ? all
            : [.. all.Take(MaxWarnings - 1), $"{all.Count - MaxWarnings + 1} more warnings (alb validate lists them all)"];
    }

    public static string Bound(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 3), "...");
}
