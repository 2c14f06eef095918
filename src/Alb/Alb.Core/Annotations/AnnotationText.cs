using System.Text;

namespace Alb.Core.Annotations;

/// <summary>How a bad value is quoted in a diagnostic: control characters escaped, cut at 100 characters.</summary>
public static class AnnotationText
{
    public static string Shown(string value)
    {
        var builder = new StringBuilder(Math.Min(value.Length, 100) + 8);
        foreach (var c in value.Length > 100 ? value.AsSpan(0, 100) : value)
        {
            if (char.IsControl(c))
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return value.Length > 100 ? builder.Append("...").ToString() : builder.ToString();
    }
}
