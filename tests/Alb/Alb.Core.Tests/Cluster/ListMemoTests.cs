using Alb.Core.Cluster;
using Alb.Core.Tests.Translation;
using Xunit;

namespace Alb.Core.Tests.Cluster;

/// <summary>
/// A memo over an informer's list gives what mapping every item gives, whatever the informer did in between, and maps
/// only the items that are not the same objects as before.
/// </summary>
public sealed class ListMemoTests
{
    private sealed record Item(string Name, int Version);

    [Fact]
    public void Kept_values_equal_a_fresh_mapping_and_only_new_objects_are_mapped()
    {
        var random = new Random(77);
        var list = new InformerList<Item>();
        for (var i = 0; i < 200; i++)
        {
            list.Set($"i{i}", new Item($"i{i}", 0));
        }

        var memo = new ListMemo<Item, string>();
        var mappedAfresh = 0;
        List<Item> before = [];
        for (var step = 0; step < 300; step++)
        {
            var items = list.Items.ToList();
            var seen = new List<Item>();
            var values = memo.Map(items, reuse: step % 50 != 49, item =>
            {
                seen.Add(item);
                return $"{item.Name}@{item.Version}";
            });

            Assert.Equal(items.Select(i => $"{i.Name}@{i.Version}"), values);
            var isNew = items.Where(i => !before.Any(b => ReferenceEquals(b, i))).ToList();
            if (seen.Count == items.Count && isNew.Count < items.Count)
            {
                mappedAfresh++; // told not to reuse, or a relist: everything mapped again
            }
            else
            {
                Assert.Equal(isNew, seen); // exactly the objects not listed last time, in list order
            }

            Assert.Equal(seen.Count, memo.Mapped);
            before = items;
            if (step % 71 == 70)
            {
                list.Shuffle(random);
                continue;
            }

            for (var n = random.Next(1, 5); n > 0; n--)
            {
                var i = random.Next(230);
                list.Set($"i{i}", random.Next(3) == 0 ? null : new Item($"i{i}", step + 1));
            }
        }

        Assert.InRange(mappedAfresh, 4, 20); // the told-not-to-reuse calls and the relists, not every step
    }

    [Fact]
    public void The_alignment_gives_up_past_its_limit()
    {
        var last = Enumerable.Range(0, 100).Select(i => new Item($"i{i}", 0)).ToList();
        var now = last.Select(i => i with { Version = 1 }).ToList(); // every object replaced
        Assert.Null(ListAlignment.Align(last, now, ListAlignment.Limit(now.Count), out _));

        var moved = ListAlignment.Align(last, [.. last.Take(10), .. last.Skip(11)], ListAlignment.Limit(99), out var changes);
        Assert.Equal(1, changes);
        Assert.Equal(-1, moved![10]);
        Assert.Equal(10, moved[11]);
    }
}
