using System.Collections.Immutable;
using Alb.Core.Diagnostics;
using Alb.Core.Routing;
using Alb.Core.Snapshot;
using k8s;
using k8s.Models;

namespace Alb.Core.Translation;

/// <summary>
/// What one translation hands to the next so that a change costs what it touches: each Ingress's annotations are
/// read once and reused while the Ingress, the global settings and every Secret and ConfigMap its annotations looked
/// up are the same objects (the same instance, or the same uid and resourceVersion). Translating with a cache gives
/// exactly what translating without one gives. One source uses it, one translation at a time.
/// </summary>
public sealed class TranslationCache
{
    private readonly IngressSlots _slots = new();
    private readonly List<IngressSlots.Slot> _removed = [];
    private readonly HashSet<(string Ns, string? Name)> _claimed = []; // names read or reused through the dictionary this translation

    // Keyed by (namespace, name): no key text made per Ingress per translation.
    private Dictionary<(string Ns, string? Name), CachedIngress> _entries = [];
    private Dictionary<(string Ns, string? Name), CachedIngress> _next = [];
    private Dictionary<string, HostBuilder> _hosts = new(StringComparer.Ordinal);
    private Dictionary<string, HostBuilder> _nextHosts = new(StringComparer.Ordinal);
    private Dictionary<string, BuiltBackend> _backends = new(StringComparer.Ordinal);
    private Dictionary<string, BuiltBackend> _nextBackends = new(StringComparer.Ordinal);
    private HostBuilder? _catchAll;
    private GlobalSettings? _settings;
    private bool _settingsChanged;
    private TranslationOptions? _options;
    private ImmutableArray<V1IngressClass> _classes;
    private bool _fresh; // this translation sorted afresh: _entries is rebuilt from the Ingresses it reads

    /// <summary>Ingresses whose annotations the last translation reused.</summary>
    public int Reused { get; private set; }

    /// <summary>Ingresses whose annotations the last translation read.</summary>
    public int Read { get; private set; }

    internal void Begin(GlobalSettings settings)
    {
        _settingsChanged = _settings is null || !_settings.Equals(settings);
        if (_settingsChanged)
        {
            _entries.Clear(); // every Ingress reads the settings
        }

        _settings = settings;
        _nextHosts.Clear();
        _nextBackends.Clear();
        Reused = 0;
        Read = 0;
    }

    /// <summary>
    /// The snapshot's Ingresses in ingress-nginx's order, each in its slot: the slots of Ingresses that are the same
    /// objects at the same place as in the last translation keep what the first pass made of them, as long as the
    /// settings, the options and the IngressClasses are the same too.
    /// </summary>
    internal List<IngressSlots.Slot> Order(ClusterSnapshot snapshot, TranslationOptions options)
    {
        var reuse = !_settingsChanged && options.Equals(_options) && !_classes.IsDefault && SameAll(_classes, snapshot.IngressClasses);
        (_options, _classes) = (options, snapshot.IngressClasses);
        _removed.Clear();
        _claimed.Clear();
        var slots = _slots.Order(snapshot.Ingresses, reuse, _removed, out _fresh);
        if (_fresh)
        {
            // Every slot is new (the first translation, a relist): the Ingresses read now make the cache.
            _next = new Dictionary<(string Ns, string? Name), CachedIngress>(_entries.Count);
        }

        return slots;
    }

    /// <summary>The context of the Ingress in <paramref name="slot"/>: the one it had, when its lookups are unchanged; else the cached one of its name, or a new one.</summary>
    internal IngressContext Context(IngressSlots.Slot slot, GlobalSettings settings, ClusterSnapshot snapshot)
    {
        if (slot.Read is { } kept && LookupsUnchanged(kept, snapshot))
        {
            // The same object at the same place: not read at all (not even to spell its key).
            kept.Context.AttachErrors(null); // a context carries one translation's error policy
            if (_fresh)
            {
                _next[(ObjectNames.Ns(kept.Ingress.Metadata), kept.Ingress.Metadata?.Name)] = kept;
            }

            Reused++;
            return kept.Context;
        }

        var ingress = slot.Ingress;
        var key = (ObjectNames.Ns(ingress.Metadata), ingress.Metadata?.Name);
        if (_entries.TryGetValue(key, out var entry) && Same(entry.Ingress, ingress) && LookupsUnchanged(entry, snapshot))
        {
            entry.Context.AttachErrors(null);
            Reused++;
        }
        else
        {
            entry = ReadEntry(ingress, settings, snapshot);
            Read++;
        }

        (_fresh ? _next : _entries)[key] = entry;
        _claimed.Add(key);
        slot.Read = entry;
        return entry.Context;
    }

    /// <summary>A method of its own: its lambdas capture the snapshot, and C# would make their closure on every call of the reusing path.</summary>
    private static CachedIngress ReadEntry(V1Ingress ingress, GlobalSettings settings, ClusterSnapshot snapshot)
    {
        var lookups = new List<Lookup>();
        var context = new IngressContext(ingress, settings,
            (ns, name) =>
            {
                var lookup = new Lookup(Secret: false, ns, name, snapshot.FindConfigMap(ns, name));
                lookups.Add(lookup);
                return ((V1ConfigMap?)lookup.Found)?.Data;
            },
            (ns, name) =>
            {
                var lookup = new Lookup(Secret: true, ns, name, snapshot.FindSecret(ns, name));
                lookups.Add(lookup);
                return (V1Secret?)lookup.Found;
            });
        return new CachedIngress(ingress, context, [.. lookups]);
    }

    private static bool LookupsUnchanged(CachedIngress entry, ClusterSnapshot snapshot)
    {
        foreach (var lookup in entry.Lookups)
        {
            if (!Same(lookup.Found, lookup.Find(snapshot)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The builder of the catch-all host for this translation, started again.</summary>
    internal HostBuilder CatchAll(bool regexPaths) => (_catchAll ??= new HostBuilder(RouteTable.CatchAllHost)).Begin(fallback: null, regexPaths);

    /// <summary>The builder of <paramref name="host"/> for this translation, started again.</summary>
    internal HostBuilder Host(string host, Route? fallback, bool regexPaths)
    {
        if (!_hosts.TryGetValue(host, out var builder))
        {
            builder = new HostBuilder(host);
        }

        _nextHosts[host] = builder;
        return builder.Begin(fallback, regexPaths);
    }

    /// <summary>
    /// The backend <paramref name="id"/> as the last translation built it, when it was built from the same Service
    /// and the same EndpointSlices (all a backend is made of, besides what its id spells and whether its port is named).
    /// </summary>
    internal bool TryReuseBackend(string id, bool byName, V1Service? service, ImmutableArray<V1EndpointSlice> slices, out Backend backend, out DiagnosticCode? problem)
    {
        if (_backends.TryGetValue(id, out var built) && built.ByName == byName && Same(built.Service, service) && SameAll(built.Slices, slices))
        {
            _nextBackends[id] = built;
            (backend, problem) = (built.Backend, built.Problem);
            return true;
        }

        (backend, problem) = (null!, null);
        return false;
    }

    internal void KeepBackend(string id, bool byName, V1Service? service, ImmutableArray<V1EndpointSlice> slices, Backend backend, DiagnosticCode? problem) =>
        _nextBackends[id] = new BuiltBackend(byName, service, slices, backend, problem);

    /// <summary>The same objects (<see cref="Same"/>), one by one.</summary>
    private static bool SameAll<T>(ImmutableArray<T> a, ImmutableArray<T> b)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if (!Same(a[i], b[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Keeps only the Ingresses, hosts and backends of this translation: deleted ones are forgotten.</summary>
    internal void End()
    {
        if (_fresh)
        {
            (_entries, _next) = (_next, _entries);
        }
        else
        {
            foreach (var slot in _removed)
            {
                // A name no Ingress of this translation claimed is forgotten.
                var key = (ObjectNames.Ns(slot.Ingress.Metadata), slot.Name);
                if (slot.Read is { } read && !_claimed.Contains(key) && _entries.TryGetValue(key, out var entry) && ReferenceEquals(entry, read))
                {
                    _entries.Remove(key);
                }
            }
        }

        (_hosts, _nextHosts) = (_nextHosts, _hosts);
        (_backends, _nextBackends) = (_nextBackends, _backends);
    }

    /// <summary>The same object: the same instance, or the same uid at the same resourceVersion (the API server's promise).</summary>
    private static bool Same(IKubernetesObject<V1ObjectMeta>? a, IKubernetesObject<V1ObjectMeta>? b) =>
        ReferenceEquals(a, b)
        || (a?.Metadata is { Uid: { Length: > 0 } uid, ResourceVersion: { Length: > 0 } version }
            && b?.Metadata is { } other && other.Uid == uid && other.ResourceVersion == version && a.Kind == b.Kind);

    /// <summary>An Ingress as read: its context and the Secrets and ConfigMaps its annotations looked up.</summary>
    internal sealed record CachedIngress(V1Ingress Ingress, IngressContext Context, Lookup[] Lookups);

    private sealed record BuiltBackend(bool ByName, V1Service? Service, ImmutableArray<V1EndpointSlice> Slices, Backend Backend, DiagnosticCode? Problem);

    internal sealed record Lookup(bool Secret, string Ns, string Name, IKubernetesObject<V1ObjectMeta>? Found)
    {
        public IKubernetesObject<V1ObjectMeta>? Find(ClusterSnapshot snapshot) => Secret ? snapshot.FindSecret(Ns, Name) : snapshot.FindConfigMap(Ns, Name);
    }
}
