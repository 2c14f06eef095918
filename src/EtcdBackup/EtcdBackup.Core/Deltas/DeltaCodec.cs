using System.Buffers;
using EtcdBackup.Core.Changes;

namespace EtcdBackup.Core.Deltas;

/// <summary>
/// The delta format, version 1 (before compression and encryption, which apply to it as to full snapshots):
/// the magic <c>EDLT</c> and a version byte (1), then one record per revision, ascending:
/// <c>uvarint revision, uvarint unix-ms time, uvarint event count</c>, then per event a kind byte (0 put, 1 delete),
/// <c>uvarint key length, key</c> and, for a put, <c>uvarint value length, value</c>. A revision of 0 ends the delta,
/// so a truncated object is told from a whole one even before its SHA-256 is checked. Uvarints are LEB128.
/// </summary>
public static class DeltaCodec
{
    public const byte Version = 1;
    private static readonly byte[] Magic = "EDLT"u8.ToArray();

    public static byte[] Encode(IEnumerable<DeltaRevision> revisions)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        buffer.Write(Magic);
        buffer.Write([Version]);
        foreach (var r in revisions)
        {
            WriteVarint(buffer, (ulong)r.Revision);
            WriteVarint(buffer, (ulong)r.Time.ToUnixTimeMilliseconds());
            WriteVarint(buffer, (ulong)r.Changes.Count);
            foreach (var c in r.Changes)
            {
                buffer.Write([c.Kind == ChangeKind.Put ? (byte)0 : (byte)1]);
                WriteVarint(buffer, (ulong)c.Key.Length);
                buffer.Write(c.Key.Span);
                if (c.Kind == ChangeKind.Put)
                {
                    WriteVarint(buffer, (ulong)c.Value.Length);
                    buffer.Write(c.Value.Span);
                }
            }
        }

        WriteVarint(buffer, 0);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Decodes a whole delta; keys and values are slices of <paramref name="data"/>. Bad input: a reason.</summary>
    public static bool TryDecode(ReadOnlyMemory<byte> data, out IReadOnlyList<DeltaRevision> revisions, out string error)
    {
        var result = new List<DeltaRevision>();
        revisions = result;
        var span = data.Span;
        if (span.Length < 5 || !span[..4].SequenceEqual(Magic))
        {
            error = "not a delta (no EDLT magic)";
            return false;
        }

        if (span[4] != Version)
        {
            error = $"delta format version {span[4]} is not {Version}";
            return false;
        }

        var at = 5;
        var last = 0L;
        while (true)
        {
            if (!TryVarint(span, ref at, out var revision))
            {
                error = $"truncated at byte {at} (no end record)";
                return false;
            }

            if (revision == 0)
            {
                error = at == span.Length ? "" : $"{span.Length - at} bytes after the end record";
                return error.Length == 0;
            }

            if ((long)revision <= last || revision > long.MaxValue || !TryVarint(span, ref at, out var ms) || !TryVarint(span, ref at, out var count) ||
                count == 0 || count > int.MaxValue || ms > 253_402_300_799_999)
            {
                error = $"bad revision record at byte {at} (revision {revision} after {last})";
                return false;
            }

            var changes = new List<Change>((int)Math.Min(count, 1024));
            for (var i = 0UL; i < count; i++)
            {
                if (at >= span.Length || span[at] > 1)
                {
                    error = $"bad event kind at byte {at} in revision {revision}";
                    return false;
                }

                var put = span[at++] == 0;
                if (!TrySlice(data, ref at, out var key) || key.Length == 0)
                {
                    error = $"bad key at byte {at} in revision {revision}";
                    return false;
                }

                var value = ReadOnlyMemory<byte>.Empty;
                if (put && !TrySlice(data, ref at, out value))
                {
                    error = $"bad value at byte {at} in revision {revision}";
                    return false;
                }

                changes.Add(put ? Change.Put(key, value, (long)revision) : Change.Delete(key, (long)revision));
            }

            result.Add(new DeltaRevision((long)revision, DateTimeOffset.FromUnixTimeMilliseconds((long)ms), changes));
            last = (long)revision;
        }
    }

    private static bool TrySlice(ReadOnlyMemory<byte> data, ref int at, out ReadOnlyMemory<byte> slice)
    {
        slice = default;
        if (!TryVarint(data.Span, ref at, out var length) || length > (ulong)(data.Length - at))
        {
            return false;
        }

        slice = data.Slice(at, (int)length);
        at += (int)length;
        return true;
    }

    private static void WriteVarint(ArrayBufferWriter<byte> buffer, ulong value)
    {
        var span = buffer.GetSpan(10);
        var n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[n++] = (byte)value;
        buffer.Advance(n);
    }

    private static bool TryVarint(ReadOnlySpan<byte> span, ref int at, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64 && at < span.Length; shift += 7)
        {
            var b = span[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;
    }
}
