using System.Text;

namespace EtcdBackup.Core.Mirror;

/// <summary>
/// What a mirror copies: the <c>--prefix</c>es (default: the whole keyspace) minus the <c>--exclude</c>s and minus the
/// resume key, as sorted, disjoint key ranges. Built only from input that makes sense; every mistake is an error naming
/// its flag: overlapping prefixes, an exclude outside every prefix, a resume key that the mirror itself would copy over.
/// </summary>
public sealed class MirrorScope
{
    private MirrorScope(IReadOnlyList<KeyRange> ranges, IReadOnlyList<string> prefixes, string revKey)
    {
        Ranges = ranges;
        Prefixes = prefixes;
        RevKey = revKey;
    }

    /// <summary>The mirrored key ranges, ascending and disjoint.</summary>
    public IReadOnlyList<KeyRange> Ranges { get; }

    /// <summary>The prefixes as given, or [""] for the whole keyspace.</summary>
    public IReadOnlyList<string> Prefixes { get; }

    /// <summary>The destination key that holds the last applied source revision.</summary>
    public string RevKey { get; }

    /// <summary>One range from the first mirrored key to the last: what a single watch covers.</summary>
    public KeyRange Covering => new(Ranges[0].Start, Ranges[^1].End);

    public static string DefaultRevKey(ulong sourceClusterId) => $"/edge-mirror/{sourceClusterId:x16}/revision";

    public bool Contains(ReadOnlySpan<byte> key)
    {
        int lo = 0, hi = Ranges.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            var range = Ranges[mid];
            if (key.SequenceCompareTo(range.Start) < 0)
            {
                hi = mid - 1;
            }
            else if (range.End is not null && key.SequenceCompareTo(range.End) >= 0)
            {
                lo = mid + 1;
            }
            else
            {
                return true;
            }
        }

        return false;
    }

    /// <param name="revKeySource">Where the resume key came from, for the error (<c>--rev-key</c>, or the default).</param>
    public static MirrorScope? Create(IReadOnlyList<string> prefixes, IReadOnlyList<string> excludes, string revKey, string revKeySource, List<string> errors)
    {
        var before = errors.Count;
        foreach (var p in prefixes.Where(p => p.Length == 0))
        {
            errors.Add("--prefix: an empty prefix (leave --prefix out to mirror the whole keyspace)");
        }

        for (var i = 0; i < prefixes.Count; i++)
        {
            for (var j = i + 1; j < prefixes.Count; j++)
            {
                if (prefixes[i].StartsWith(prefixes[j], StringComparison.Ordinal) || prefixes[j].StartsWith(prefixes[i], StringComparison.Ordinal))
                {
                    errors.Add($"--prefix: \"{prefixes[i]}\" and \"{prefixes[j]}\" overlap (one contains the other): give the outer one and --exclude what to leave out");
                }
            }
        }

        var all = prefixes.Count == 0 ? [""] : prefixes;
        foreach (var e in excludes)
        {
            if (e.Length == 0 || !all.Any(p => e.StartsWith(p, StringComparison.Ordinal)))
            {
                errors.Add($"--exclude: \"{e}\" is outside every --prefix ({string.Join(", ", all.Select(p => $"\"{p}\""))}), so it excludes nothing");
            }
            else if (all.Contains(e))
            {
                errors.Add($"--exclude: \"{e}\" excludes the whole --prefix \"{e}\"");
            }
        }

        if (revKey.Length == 0)
        {
            errors.Add($"{revKeySource}: an empty key");
        }

        if (errors.Count > before)
        {
            return null;
        }

        var cut = excludes.Select(e => KeyRange.Prefix(Encoding.UTF8.GetBytes(e))).ToList();
        var revBytes = Encoding.UTF8.GetBytes(revKey);
        var provisional = Subtract(all.Select(p => KeyRange.Prefix(Encoding.UTF8.GetBytes(p))), cut);
        if (provisional.FirstOrDefault(r => r.Contains(revBytes)) is { } holder)
        {
            if (prefixes.Count > 0)
            {
                errors.Add($"{revKeySource}: \"{revKey}\" is inside the mirrored range {holder}: the mirror would copy over its own resume point (choose a key outside every --prefix, or --exclude it)");
                return null;
            }

            cut.Add(KeyRange.Single(revBytes)); // mirroring everything: everything but the resume key
        }

        var ranges = Subtract(all.Select(p => KeyRange.Prefix(Encoding.UTF8.GetBytes(p))), cut);
        return new MirrorScope(ranges, all, revKey);
    }

    /// <summary>The parts of <paramref name="include"/> not covered by any of <paramref name="cut"/>, ascending.</summary>
    internal static List<KeyRange> Subtract(IEnumerable<KeyRange> include, IEnumerable<KeyRange> cut)
    {
        var cuts = cut.OrderBy(c => c.Start, ByteOrder.Instance).ToList();
        var result = new List<KeyRange>();
        foreach (var range in include.OrderBy(r => r.Start, ByteOrder.Instance))
        {
            byte[]? cursor = range.Start;
            foreach (var c in cuts)
            {
                if (cursor is null || KeyRange.CompareEnds(c.Start, range.End) >= 0)
                {
                    break;
                }

                if (KeyRange.CompareEnds(c.End, cursor) <= 0)
                {
                    continue;
                }

                if (c.Start.AsSpan().SequenceCompareTo(cursor) > 0)
                {
                    result.Add(new KeyRange(cursor, c.Start));
                }

                cursor = c.End;
            }

            if (cursor is not null && KeyRange.CompareEnds(cursor, range.End) < 0)
            {
                result.Add(new KeyRange(cursor, range.End));
            }
        }

        return result;
    }
}

/// <summary>etcd's key order: bytewise.</summary>
public sealed class ByteOrder : IComparer<byte[]>
{
    public static ByteOrder Instance { get; } = new();

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
}
