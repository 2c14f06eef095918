using System.Text;
using Alb.Core.Annotations;

namespace Alb.Fuzz;

/// <summary>
/// What one fuzz input means. The bytes are a sequence of records <c>[slot][length][value]</c>: the slot byte picks an
/// annotation of <see cref="AnnotationCatalog.All"/> (modulo the slot count) or one of the extra slots below; the
/// length is one byte below 0x80, or two bytes (15 bits) when the first has the high bit set, and is cut to what is
/// left; the value is UTF-8 (invalid sequences decode to U+FFFD, as a JSON or YAML reader would refuse or replace them).
/// A later record for the same slot wins.
/// </summary>
public sealed class FuzzInput
{
    /// <summary>The slot whose value is an annotation name (prefix added) set to "true": typos and unknown keys.</summary>
    public static readonly int UnknownKeySlot = AnnotationCatalog.All.Count;

    /// <summary>The slot of the Ingress rule host.</summary>
    public static readonly int HostSlot = AnnotationCatalog.All.Count + 1;

    /// <summary>The slot of the Ingress rule path (also fed to PathRegex.TryValidate).</summary>
    public static readonly int PathSlot = AnnotationCatalog.All.Count + 2;

    public static readonly int SlotCount = AnnotationCatalog.All.Count + 3;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    public Dictionary<string, string> Annotations { get; } = new(StringComparer.Ordinal);

    public string? Host { get; private set; }

    public string? Path { get; private set; }

    public static FuzzInput Decode(ReadOnlySpan<byte> data)
    {
        var input = new FuzzInput();
        var i = 0;
        while (i < data.Length)
        {
            var slot = data[i++] % SlotCount;
            var length = 0;
            if (i < data.Length)
            {
                length = data[i++];
                if ((length & 0x80) != 0)
                {
                    length = i < data.Length ? ((length & 0x7F) << 8) | data[i++] : length & 0x7F;
                }
            }

            length = Math.Min(length, data.Length - i);
            var value = Utf8.GetString(data.Slice(i, length));
            i += length;

            if (slot < AnnotationCatalog.All.Count)
            {
                input.Annotations[AnnotationCatalog.All[slot].Key] = value;
            }
            else if (slot == UnknownKeySlot)
            {
                input.Annotations[AnnotationCatalog.Prefix + value] = "true";
            }
            else if (slot == HostSlot)
            {
                input.Host = value;
            }
            else
            {
                input.Path = value;
            }
        }

        return input;
    }

    /// <summary>The inverse of <see cref="Decode"/> for building seeds: one record per entry.</summary>
    public static byte[] Encode(IEnumerable<(int Slot, string Value)> records)
    {
        var bytes = new List<byte>();
        foreach (var (slot, value) in records)
        {
            var utf8 = Utf8.GetBytes(value);
            var length = Math.Min(utf8.Length, 0x7FFF);
            bytes.Add((byte)slot);
            if (length < 0x80)
            {
                bytes.Add((byte)length);
            }
            else
            {
                bytes.Add((byte)(0x80 | (length >> 8)));
                bytes.Add((byte)(length & 0xFF));
            }

            bytes.AddRange(utf8.AsSpan(0, length).ToArray());
        }

        return [.. bytes];
    }

    public static int SlotOf(string annotationKey)
    {
        if (!annotationKey.StartsWith(AnnotationCatalog.Prefix, StringComparison.Ordinal))
        {
            return -1;
        }

        var name = annotationKey[AnnotationCatalog.Prefix.Length..];
        for (var i = 0; i < AnnotationCatalog.All.Count; i++)
        {
            if (AnnotationCatalog.All[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }
}
