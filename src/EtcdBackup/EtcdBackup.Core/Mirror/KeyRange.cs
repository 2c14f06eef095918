namespace EtcdBackup.Core.Mirror;

/// <summary>
/// Keys from <see cref="Start"/> (inclusive) to <see cref="End"/> (exclusive; null: to the end of the keyspace), in
/// etcd's order (bytewise). <see cref="RequestKey"/> and <see cref="RequestEnd"/> are the range as etcd takes it.
/// </summary>
public sealed record KeyRange(byte[] Start, byte[]? End)
{
    private static readonly byte[] Zero = [0];

    public static KeyRange Prefix(byte[] prefix) => new(prefix, PrefixEnd(prefix));

    /// <summary>Exactly one key: [key, key + 0x00).</summary>
    public static KeyRange Single(byte[] key) => new(key, [.. key, 0]);

    public byte[] RequestKey => Start.Length == 0 ? Zero : Start;

    public byte[] RequestEnd => End ?? Zero;

    public bool Contains(ReadOnlySpan<byte> key) =>
        key.SequenceCompareTo(Start) >= 0 && (End is null || key.SequenceCompareTo(End) < 0);

    /// <summary>The first key after every key that starts with <paramref name="prefix"/>, or null when there is none.</summary>
    public static byte[]? PrefixEnd(ReadOnlySpan<byte> prefix)
    {
        for (var i = prefix.Length - 1; i >= 0; i--)
        {
            if (prefix[i] < 0xff)
            {
                var end = prefix[..(i + 1)].ToArray();
                end[i]++;
                return end;
            }
        }

        return null;
    }

    /// <summary>Bytewise order of two range ends, null being after every key.</summary>
    public static int CompareEnds(byte[]? a, byte[]? b) =>
        a is null ? (b is null ? 0 : 1) : b is null ? -1 : a.AsSpan().SequenceCompareTo(b);

    public override string ToString() =>
        $"[\"{Show(Start)}\", {(End is null ? "end" : $"\"{Show(End)}\"")})";

    public static string Show(ReadOnlySpan<byte> key) =>
        System.Text.Encoding.UTF8.GetString(key).Replace("\0", "\\0", StringComparison.Ordinal);
}
