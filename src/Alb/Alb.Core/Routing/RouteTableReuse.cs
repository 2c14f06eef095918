namespace Alb.Core.Routing;

/// <summary>
/// Makes a new route table share the objects of the table in service wherever they are equal: each host, backend and
/// certificate whose name and content are unchanged is replaced by the serving table's object. What the data plane
/// builds per object (matchers, pipelines, hash parts) can then be reused by reference, so a change costs what it
/// touches. The result is equal to the new table; only object identities change.
/// </summary>
public static class RouteTableReuse
{
    public static RouteTable Share(RouteTable next, RouteTable? serving)
    {
        if (serving is null || ReferenceEquals(next, serving))
        {
            return next;
        }

        return next with
        {
            Hosts = Share(next.Hosts, serving.Hosts, h => h.Host),
            Backends = Share(next.Backends, serving.Backends, b => b.Id),
            Certificates = Share(next.Certificates, serving.Certificates, c => c.Id),
            Settings = next.Settings.Equals(serving.Settings) ? serving.Settings : next.Settings,
        };
    }

    private static EquatableArray<T> Share<T>(EquatableArray<T> next, EquatableArray<T> serving, Func<T, string> name)
        where T : class, IEquatable<T>
    {
        if (next.Equals(serving))
        {
            return serving;
        }

        var byName = new Dictionary<string, T>(serving.Count, StringComparer.Ordinal);
        foreach (var item in serving)
        {
            byName.TryAdd(name(item), item);
        }

        var shared = new T[next.Count];
        for (var i = 0; i < shared.Length; i++)
        {
            var item = next[i];
            shared[i] = byName.TryGetValue(name(item), out var old) && old.Equals(item) ? old : item;
        }

        return EquatableArray.Create<T>(shared);
    }
}
