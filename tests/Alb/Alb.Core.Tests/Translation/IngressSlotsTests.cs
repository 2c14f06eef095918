using System.Collections.Immutable;
using Alb.Core.Translation;
using k8s.Models;
using Xunit;

namespace Alb.Core.Tests.Translation;

/// <summary>
/// The order kept between translations is the order a stable sort of the whole list gives, whatever the informer did
/// in between; the slots of Ingresses that are still there are the same slots (what the first pass made of them kept).
/// </summary>
public sealed class IngressSlotsTests
{
    [Fact]
    public void The_kept_order_equals_a_fresh_sort_after_every_change_of_the_list()
    {
        var random = new Random(4242);
        var list = new InformerList<V1Ingress>();
        for (var i = 0; i < 300; i++)
        {
            list.Set($"ing-{i}", Ingress(i, random));
        }

        var slots = new IngressSlots();
        var (kept, fresh) = (0, 0);
        List<IngressSlots.Slot> before = [];
        for (var step = 0; step < 400; step++)
        {
            var items = list.Items.ToImmutableArray();
            var removed = new List<IngressSlots.Slot>();
            var order = slots.Order(items, reuse: true, removed, out var sortedAfresh);

            var expected = IngressOrder.Sort(items).ToList();
            Assert.Equal(expected, order.Select(s => s.Ingress));
            Assert.Equal(Enumerable.Range(0, items.Length).Select(p => items[p]), order.OrderBy(s => s.Position).Select(s => s.Ingress));
            if (!sortedAfresh)
            {
                // Every Ingress still listed keeps its slot; the removed ones are exactly those not listed any more.
                var bySlot = before.ToDictionary(s => (object)s.Ingress, ReferenceEqualityComparer.Instance);
                Assert.All(order.Where(s => bySlot.ContainsKey(s.Ingress)), s => Assert.Same(bySlot[s.Ingress], s));
                Assert.Equal(before.Count + order.Count(s => !bySlot.ContainsKey(s.Ingress)) - removed.Count, order.Count);
                kept++;
            }
            else
            {
                fresh++;
            }

            before = order.ToList();
            Change(list, random, step);
        }

        Assert.True(kept > 300 && fresh > 0, $"kept {kept}, fresh {fresh}: both paths must run");
    }

    private static void Change(InformerList<V1Ingress> list, Random random, int step)
    {
        if (step % 97 == 96)
        {
            list.Shuffle(random); // a relist
            return;
        }

        for (var n = random.Next(1, 6); n > 0; n--)
        {
            var i = random.Next(340);
            list.Set($"ing-{i}", random.Next(3) == 0 ? null : Ingress(i, random)); // deleted, added, or updated
        }
    }

    /// <summary>Few creation times (to the second, as Ingresses applied together), some missing; ties go to the name.</summary>
    private static V1Ingress Ingress(int i, Random random) => new()
    {
        Metadata = new()
        {
            Name = $"ing-{i}",
            NamespaceProperty = random.Next(4) == 0 ? null : $"ns-{i % 3}",
            CreationTimestamp = random.Next(10) == 0 ? null : new DateTime(2024, 1, 1, 0, 0, random.Next(3), DateTimeKind.Utc),
        },
    };
}
