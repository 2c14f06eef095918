namespace Alb.Core.Cluster;

/// <summary>
/// Lines a list up with the last one by reference, as an informer lists its objects: an update stays in place, a
/// deletion closes up, an addition fills a gap or goes at the end. Nothing in the items is read, so a list of 10,000
/// objects spread over the heap costs 10,000 pointer comparisons, not 10,000 cache misses.
/// </summary>
public static class ListAlignment
{
    private const int Lookahead = 8;

    /// <summary>
    /// For each item of <paramref name="last"/>, its index in <paramref name="now"/> (-1: gone); null when more than
    /// <paramref name="limit"/> places differ (a relist, a new order), where starting afresh is cheaper.
    /// </summary>
    public static int[]? Align<T>(IReadOnlyList<T> last, IReadOnlyList<T> now, int limit, out int changes)
        where T : class
    {
        var moved = new int[last.Count];
        int i = 0, j = 0;
        changes = 0;
        while (i < now.Count || j < last.Count)
        {
            if (i < now.Count && j < last.Count && ReferenceEquals(now[i], last[j]))
            {
                moved[j++] = i++;
                continue;
            }

            var (gone, inserted) = (0, 0);
            for (var d = 1; d <= Lookahead && gone == 0 && inserted == 0; d++)
            {
                if (i < now.Count && j + d < last.Count && ReferenceEquals(now[i], last[j + d]))
                {
                    gone = d;
                }
                else if (j < last.Count && i + d < now.Count && ReferenceEquals(now[i + d], last[j]))
                {
                    inserted = d;
                }
            }

            if (gone == 0 && inserted == 0)
            {
                (gone, inserted) = (j < last.Count ? 1 : 0, i < now.Count ? 1 : 0); // replaced, or past one list's end
            }

            for (var k = 0; k < gone; k++)
            {
                moved[j++] = -1;
            }

            i += inserted;
            changes += Math.Max(gone, inserted);
            if (changes > limit)
            {
                return null;
            }
        }

        return moved;
    }

    /// <summary>Whether both lists hold the same objects in the same order (null: never listed).</summary>
    public static bool SameItems<T>(IReadOnlyList<T>? last, IReadOnlyList<T> now)
        where T : class
    {
        if (last is null || last.Count != now.Count)
        {
            return false;
        }

        for (var i = 0; i < now.Count; i++)
        {
            if (!ReferenceEquals(last[i], now[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The default limit: a quarter of the list, and at least 16.</summary>
    public static int Limit(int count) => (count / 4) + 16;
}

/// <summary>
/// A pure function of each item of a list, kept from one call to the next: an item that is the same object as in
/// the last list keeps its value, as long as the caller says the function is the same (<c>reuse</c>); only the
/// other items are mapped. The scope scan and the leader's status planning use it on every change, over every
/// Ingress.
/// </summary>
public sealed class ListMemo<TItem, TValue>
    where TItem : class
{
    // Two generations of buffers, swapped on each call: the lists live as long as the memo, so a change's mapping
    // makes no 10,000-element arrays for the GC to promote and drop.
    private List<TItem> _last = [];
    private List<TItem> _spareItems = [];
    private List<TValue> _values = [];
    private List<TValue> _spareValues = [];
    private bool[] _known = [];

    /// <summary>Items mapped (not kept) by the last call.</summary>
    public int Mapped { get; private set; }

    /// <summary>The value of each item, in list order; valid until the next call.</summary>
    public IReadOnlyList<TValue> Map(IReadOnlyList<TItem> items, bool reuse, Func<TItem, TValue> map)
    {
        var (values, next) = (_spareValues, _spareItems);
        values.Clear();
        next.Clear();
        if (_known.Length < items.Count)
        {
            _known = new bool[items.Count + (items.Count / 4)];
        }

        Array.Clear(_known);
        for (var i = 0; i < items.Count; i++)
        {
            values.Add(default!);
            next.Add(items[i]);
        }

        if (reuse && ListAlignment.Align(_last, items, ListAlignment.Limit(items.Count), out _) is { } moved)
        {
            for (var j = 0; j < moved.Length; j++)
            {
                if (moved[j] >= 0)
                {
                    (values[moved[j]], _known[moved[j]]) = (_values[j], true);
                }
            }
        }

        Mapped = 0;
        for (var i = 0; i < values.Count; i++)
        {
            if (!_known[i])
            {
                values[i] = map(items[i]);
                Mapped++;
            }
        }

        (_spareItems, _last) = (_last, next);
        (_spareValues, _values) = (_values, values);
        return values;
    }
}
