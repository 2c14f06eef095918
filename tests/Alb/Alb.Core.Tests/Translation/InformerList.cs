namespace Alb.Core.Tests.Translation;

/// <summary>
/// Objects in the order an informer lists them (its store is a Dictionary): an update stays in place, a deletion
/// leaves a gap the next addition fills, other additions go at the end; a relist starts a new order.
/// </summary>
internal sealed class InformerList<T>
    where T : class
{
    private readonly List<(string Key, T? Item)> _entries = [];
    private readonly Stack<int> _gaps = new();

    public IEnumerable<T> Items => _entries.Where(e => e.Item is not null).Select(e => e.Item!);

    /// <summary>Adds or updates the object of <paramref name="key"/>; null deletes it.</summary>
    public void Set(string key, T? item)
    {
        var at = _entries.FindIndex(e => e.Key == key && e.Item is not null);
        if (at >= 0)
        {
            _entries[at] = (key, item);
            if (item is null)
            {
                _gaps.Push(at);
            }
        }
        else if (item is not null)
        {
            if (_gaps.Count > 0)
            {
                _entries[_gaps.Pop()] = (key, item);
            }
            else
            {
                _entries.Add((key, item));
            }
        }
    }

    /// <summary>A relist: the same objects in a new order.</summary>
    public void Shuffle(Random random)
    {
        var items = _entries.Where(e => e.Item is not null).OrderBy(_ => random.Next()).ToList();
        _entries.Clear();
        _gaps.Clear();
        _entries.AddRange(items);
    }
}
