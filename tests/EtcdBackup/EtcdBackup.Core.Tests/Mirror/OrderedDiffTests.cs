using System.Text;
using EtcdBackup.Core.Mirror;

namespace EtcdBackup.Core.Tests.Mirror;

public sealed class OrderedDiffTests
{
    private static async IAsyncEnumerable<Entry> Side(params (string Key, string Value)[] entries)
    {
        foreach (var (k, v) in entries)
        {
            await Task.Yield();
            yield return new Entry(Encoding.UTF8.GetBytes(k), Encoding.UTF8.GetBytes(v));
        }
    }

    [Fact]
    public async Task Names_keys_new_changed_gone_and_unchanged_in_key_order()
    {
        var items = new List<DiffItem>();
        await foreach (var item in OrderedDiff.WalkAsync(Side(("a", "1"), ("b", "2"), ("d", "4")), Side(("b", "2"), ("c", "3"), ("d", "x"), ("e", "5"))))
        {
            items.Add(item);
        }

        Assert.Equal(["a:SourceOnly", "b:Same", "c:DestinationOnly", "d:Changed", "e:DestinationOnly"],
            items.Select(i => $"{Encoding.UTF8.GetString(i.Key.Span)}:{i.Kind}"));
    }

    [Fact]
    public async Task Digest_is_equal_for_equal_content_and_differs_when_bytes_move_between_key_and_value()
    {
        using var one = new RangeDigest();
        using var two = new RangeDigest();
        one.Add("ab"u8, "c"u8);
        two.Add("a"u8, "bc"u8);
        Assert.NotEqual(one.Finish(), two.Finish());
        one.Add("k"u8, "v"u8);
        two.Add("k"u8, "v"u8);
        Assert.Equal(one.Finish(), two.Finish());
        await Task.CompletedTask;
    }
}
