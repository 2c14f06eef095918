using System.Text;

namespace Alb.Proxy.Lean;

/// <summary>Field names looked up by their ASCII bytes, in any case, without a string per lookup (a short list: a scan).</summary>
internal sealed class AsciiNames(IEnumerable<string> names)
{
    private readonly byte[][] _names = [.. names.Select(Encoding.ASCII.GetBytes)];

    /// <summary>The index of <paramref name="name"/> in the list given, or -1.</summary>
    public int IndexOf(ReadOnlySpan<byte> name)
    {
        var names = _names;
        for (var i = 0; i < names.Length; i++)
        {
            if (names[i].Length == name.Length && Ascii.EqualsIgnoreCase(names[i], name))
            {
                return i;
            }
        }

        return -1;
    }

    public bool Contains(ReadOnlySpan<byte> name) => IndexOf(name) >= 0;
}
