namespace EtcdBackup.Core.Mirror;

/// <summary>A key and its value, as a range read returns them.</summary>
public readonly record struct Entry(ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte> Value);

public enum DiffKind
{
    Same,
    SourceOnly,
    DestinationOnly,
    Changed,
}

/// <summary>One key of the merge of both sides; a value is empty on the side that lacks the key.</summary>
public readonly record struct DiffItem(DiffKind Kind, ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte> SourceValue, ReadOnlyMemory<byte> DestinationValue);

/// <summary>
/// Walks two key-ordered streams side by side (a sorted merge, so memory does not grow with the keyspace) and says
/// for every key whether it is on both sides with the same value, changed, or on one side only. Resync turns the
/// differences into puts and deletes; verify counts and hashes both sides and names the first differences.
/// </summary>
public static class OrderedDiff
{
    public static async IAsyncEnumerable<DiffItem> WalkAsync(IAsyncEnumerable<Entry> source, IAsyncEnumerable<Entry> destination,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var s = source.GetAsyncEnumerator(ct);
        await using var d = destination.GetAsyncEnumerator(ct);
        var hasS = await s.MoveNextAsync().ConfigureAwait(false);
        var hasD = await d.MoveNextAsync().ConfigureAwait(false);
        while (hasS || hasD)
        {
            var order = !hasS ? 1 : !hasD ? -1 : s.Current.Key.Span.SequenceCompareTo(d.Current.Key.Span);
            if (order < 0)
            {
                yield return new DiffItem(DiffKind.SourceOnly, s.Current.Key, s.Current.Value, default);
                hasS = await s.MoveNextAsync().ConfigureAwait(false);
            }
            else if (order > 0)
            {
                yield return new DiffItem(DiffKind.DestinationOnly, d.Current.Key, default, d.Current.Value);
                hasD = await d.MoveNextAsync().ConfigureAwait(false);
            }
            else
            {
                var same = s.Current.Value.Span.SequenceEqual(d.Current.Value.Span);
                yield return new DiffItem(same ? DiffKind.Same : DiffKind.Changed, s.Current.Key, s.Current.Value, d.Current.Value);
                hasS = await s.MoveNextAsync().ConfigureAwait(false);
                hasD = await d.MoveNextAsync().ConfigureAwait(false);
            }
        }
    }
}
