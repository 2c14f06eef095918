using System.Collections.Immutable;
using Alb.Core.Diagnostics;
using k8s.Models;

namespace Alb.Core.Translation;

/// <summary>
/// A snapshot's Ingresses in ingress-nginx's order (<see cref="IngressOrder"/>), kept from one translation to the next
/// with what the first pass made of each. An informer lists its objects in a stable order, so after a change almost
/// every Ingress is the same object at the same place of the snapshot's list: those places are recognised by
/// reference, without reading the Ingresses, keep their place in the order, and only the places that changed are read
/// and sorted in. Reading and sorting 10,000 Ingresses on every change cost a third of a rebuild's CPU in a cluster,
/// most of it cache misses on objects spread over the heap, and name comparisons (Ingresses created together share a
/// creationTimestamp to the second).
/// </summary>
internal sealed class IngressSlots
{
    private static readonly Comparer<Slot> InOrder = Comparer<Slot>.Create(Compare);

    private ImmutableArray<V1Ingress> _last;
    private List<Slot> _sorted = [];

    /// <summary>
    /// The slots of <paramref name="ingresses"/> in order. With <paramref name="reuse"/> false (the first call, or
    /// what the first pass depends on changed: the settings, the IngressClasses, the options) every slot is new.
    /// </summary>
    /// <param name="removed">The slots of the last translation that are gone (their Ingress changed or left).</param>
    /// <param name="fresh">Every slot is new.</param>
    public List<Slot> Order(ImmutableArray<V1Ingress> ingresses, bool reuse, List<Slot> removed, out bool fresh)
    {
        fresh = !reuse || _last.IsDefault || !TryUpdate(ingresses, removed);
        if (fresh)
        {
            removed.AddRange(_sorted);
            _sorted = new List<Slot>(ingresses.Length);
            for (var i = 0; i < ingresses.Length; i++)
            {
                _sorted.Add(new Slot(ingresses[i], i));
            }

            _sorted.Sort(InOrder);
        }

        _last = ingresses;
        return _sorted;
    }

    /// <summary>
    /// Lines the new list up with the last one by reference (<see cref="Cluster.ListAlignment"/>), keeps the slots of
    /// the Ingresses found again, drops the others and sorts in the new ones. False when the lists differ in more
    /// than a quarter.
    /// </summary>
    private bool TryUpdate(ImmutableArray<V1Ingress> now, List<Slot> removed)
    {
        if (Cluster.ListAlignment.Align(_last, now, Cluster.ListAlignment.Limit(now.Length), out var changes) is not { } moved)
        {
            return false; // a relist, a new order: sorting afresh is cheaper than inserting one by one
        }

        if (changes == 0)
        {
            return true;
        }

        var kept = new List<Slot>(now.Length);
        foreach (var slot in _sorted)
        {
            if (moved[slot.Position] is var place and >= 0)
            {
                slot.Position = place;
                kept.Add(slot);
            }
            else
            {
                removed.Add(slot);
            }
        }

        var placed = new bool[now.Length];
        foreach (var place in moved)
        {
            if (place >= 0)
            {
                placed[place] = true;
            }
        }

        for (var place = 0; place < now.Length; place++)
        {
            if (placed[place])
            {
                continue;
            }

            var slot = new Slot(now[place], place);
            var at = kept.BinarySearch(slot, InOrder);
            kept.Insert(at < 0 ? ~at : at, slot);
        }

        _sorted = kept;
        return true;
    }

    /// <summary>
    /// Oldest first, then namespace and name (ordinal), then the place in the snapshot: the order a stable sort of
    /// the snapshot's list by <see cref="IngressOrder"/>'s keys gives.
    /// </summary>
    private static int Compare(Slot? a, Slot? b)
    {
        var byAge = a!.Created.CompareTo(b!.Created);
        if (byAge != 0)
        {
            return byAge;
        }

        var byNamespace = string.CompareOrdinal(a.Namespace, b.Namespace);
        if (byNamespace != 0)
        {
            return byNamespace;
        }

        var byName = string.CompareOrdinal(a.Name, b.Name);
        return byName != 0 ? byName : a.Position.CompareTo(b.Position);
    }

    /// <summary>One Ingress at one place of the snapshot's list, and what the first pass made of it.</summary>
    internal sealed class Slot(V1Ingress ingress, int position)
    {
        public V1Ingress Ingress { get; } = ingress;

        /// <summary>The place in the snapshot's list (the last tie-break of the order).</summary>
        public int Position { get; set; } = position;

        public DateTime Created { get; } = ingress.Metadata?.CreationTimestamp ?? DateTime.MaxValue;

        public string? Namespace { get; } = ingress.Metadata?.NamespaceProperty;

        public string? Name { get; } = ingress.Metadata?.Name;

        /// <summary>Whether <see cref="Ignored"/> and <see cref="NullField"/> were decided.</summary>
        public bool Screened { get; set; }

        /// <summary>Why the Ingress is not ours; null when it is.</summary>
        public Diagnostic? Ignored { get; set; }

        /// <summary>The empty entry that keeps the Ingress from being served; null when there is none.</summary>
        public string? NullField { get; set; }

        /// <summary>The Ingress's annotations as read (<see cref="TranslationCache"/>); null until read.</summary>
        public TranslationCache.CachedIngress? Read { get; set; }
    }
}
