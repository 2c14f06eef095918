using System.Text.Json.Nodes;

namespace Edge.Testing.KubeApi;

/// <summary>
/// The objects, the one global resourceVersion counter, the event window and the open watches, behind one lock.
/// Every write takes the next resourceVersion, is logged and is offered to every watch before the lock is released,
/// so watches see writes in commit order. Stored objects are never mutated: a write stores a new instance.
/// </summary>
internal sealed class ObjectStore
{
    private readonly object _gate = new();
    private readonly Dictionary<(string Group, string Plural), SortedDictionary<(string Ns, string Name), JsonObject>> _objects = [];
    private readonly List<Watcher> _watchers = [];
    private readonly EventLog _log;
    private long _resourceVersion;

    public ObjectStore(int eventWindow) => _log = new EventLog(eventWindow);

    public long ResourceVersion
    {
        get
        {
            lock (_gate)
            {
                return _resourceVersion;
            }
        }
    }

    /// <summary>Runs <paramref name="action"/> under the store lock: reads and writes inside see one consistent state.</summary>
    public T Locked<T>(Func<T> action)
    {
        lock (_gate)
        {
            return action();
        }
    }

    public void Locked(Action action)
    {
        lock (_gate)
        {
            action();
        }
    }

    public long CurrentUnlocked => _resourceVersion;

    public EventLog Log => _log;

    public JsonObject? Get(ResourceType type, string ns, string name)
    {
        lock (_gate)
        {
            return Table(type.Group, type.Plural).GetValueOrDefault((ns, name));
        }
    }

    /// <summary>Objects of one resource, sorted by namespace then name; <paramref name="ns"/> null = all namespaces.</summary>
    public List<JsonObject> List(ResourceType type, string? ns)
    {
        lock (_gate)
        {
            var table = Table(type.Group, type.Plural);
            return ns is null ? [.. table.Values] : [.. table.Where(kv => kv.Key.Ns == ns).Select(kv => kv.Value)];
        }
    }

    /// <summary>Every stored object of every resource (for owner-reference collection and namespace deletion).</summary>
    public List<(string Group, string Plural, JsonObject Object)> All()
    {
        lock (_gate)
        {
            return [.. _objects.SelectMany(t => t.Value.Values.Select(o => (t.Key.Group, t.Key.Plural, o)))];
        }
    }

    /// <summary>
    /// Commits a write: takes the next resourceVersion, stamps it on <paramref name="obj"/>, stores it (or removes it
    /// for DELETED), logs the event and offers it to the watches. <paramref name="obj"/> must not be changed afterwards.
    /// </summary>
    public long Commit(string group, string plural, string eventType, JsonObject obj, JsonObject? previous)
    {
        lock (_gate)
        {
            var rv = ++_resourceVersion;
            var metadata = (JsonObject)obj["metadata"]!;
            metadata["resourceVersion"] = rv.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Materialize(obj);
            var key = ((string?)metadata["namespace"] ?? "", (string?)metadata["name"] ?? "");
            var table = Table(group, plural);
            if (eventType == "DELETED")
            {
                table.Remove(key);
            }
            else
            {
                table[key] = obj;
            }

            var e = new StoreEvent(eventType, rv, group, plural, obj, previous);
            _log.Append(e);
            foreach (var w in _watchers)
            {
                w.Offer(e);
            }

            return rv;
        }
    }

    /// <summary>
    /// Opens a watch atomically with its replay: from <paramref name="fromVersion"/> (logged events after it), or, when
    /// null, a synthetic ADDED for every matching object. Throws 410 when the version is older than the window.
    /// </summary>
    public void Subscribe(Watcher watcher, long? fromVersion)
    {
        lock (_gate)
        {
            if (fromVersion is { } from)
            {
                if (_log.IsTooOld(from))
                {
                    throw StatusBodies.TooOld(from, _log.CompactedThrough + 1);
                }

                foreach (var e in _log.Since(from))
                {
                    watcher.Offer(e);
                }
            }
            else
            {
                foreach (var obj in Table(watcher.Type.Group, watcher.Type.Plural).Values.Where(watcher.Matches))
                {
                    watcher.Enqueue(new WatchMessage("ADDED", obj));
                }
            }

            if (watcher.Bookmarks || watcher.SendInitialEvents)
            {
                watcher.Enqueue(new WatchMessage("BOOKMARK", null, _resourceVersion, InitialEventsEnd: watcher.SendInitialEvents && fromVersion is null));
            }

            _watchers.Add(watcher);
        }
    }

    public void Unsubscribe(Watcher watcher)
    {
        lock (_gate)
        {
            _watchers.Remove(watcher);
        }
    }

    /// <summary>Queues a bookmark at the current resourceVersion (under the lock, so no event can overtake it).</summary>
    public void Bookmark(Watcher watcher)
    {
        lock (_gate)
        {
            watcher.Enqueue(new WatchMessage("BOOKMARK", null, _resourceVersion));
        }
    }

    public List<Watcher> Watchers()
    {
        lock (_gate)
        {
            return [.. _watchers];
        }
    }

    /// <summary>Forced compaction: nothing before the current resourceVersion can be replayed any more.</summary>
    public void Compact(bool expireOpenWatches)
    {
        lock (_gate)
        {
            _log.CompactTo(_resourceVersion);
            if (expireOpenWatches)
            {
                foreach (var w in _watchers)
                {
                    w.Enqueue(new WatchMessage("ERROR", StatusBodies.TooOld(_resourceVersion - 1, _resourceVersion).Status));
                    w.Enqueue(WatchMessage.Close);
                }
            }
        }
    }

    public void ResizeWindow(int window)
    {
        lock (_gate)
        {
            _log.Resize(window);
        }
    }

    private SortedDictionary<(string Ns, string Name), JsonObject> Table(string group, string plural)
    {
        if (!_objects.TryGetValue((group, plural), out var table))
        {
            table = new SortedDictionary<(string Ns, string Name), JsonObject>(KeyComparer.Instance);
            _objects[(group, plural)] = table;
        }

        return table;
    }

    /// <summary>Forces lazily parsed nodes into memory so concurrent readers of a stored object never race.</summary>
    private static void Materialize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, child) in o)
                {
                    Materialize(child);
                }

                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    Materialize(child);
                }

                break;
        }
    }

    private sealed class KeyComparer : IComparer<(string Ns, string Name)>
    {
        public static KeyComparer Instance { get; } = new();

        public int Compare((string Ns, string Name) x, (string Ns, string Name) y)
        {
            var c = string.CompareOrdinal(x.Ns, y.Ns);
            return c != 0 ? c : string.CompareOrdinal(x.Name, y.Name);
        }
    }
}
