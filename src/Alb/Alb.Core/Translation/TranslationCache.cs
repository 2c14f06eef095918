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
    // Keyed by (namespace, name): no key text made per Ingress per translation.
    private Dictionary<(string Ns, string? Name), Entry> _entries = [];
    private Dictionary<(string Ns, string? Name), Entry> _next = [];
    private Dictionary<string, HostBuilder> _hosts = new(StringComparer.Ordinal);
    private Dictionary<string, HostBuilder> _nextHosts = new(StringComparer.Ordinal);
    private Dictionary<string, BuiltBackend> _backends = new(StringComparer.Ordinal);
    private Dictionary<string, BuiltBackend> _nextBackends = new(StringComparer.Ordinal);
    private HostBuilder? _catchAll;
    private GlobalSettings? _settings;

    /// <summary>Ingresses whose annotations the last translation reused.</summary>
    public int Reused { get; private set; }

    /// <summary>Ingresses whose annotations the last translation read.</summary>
    public int Read { get; private set; }

    internal void Begin(GlobalSettings settings)
    {
        if (_settings is null || !_settings.Equals(settings))
        {
            _entries.Clear(); // every Ingress reads the settings
        }

        _settings = settings;
        _next = new Dictionary<(string Ns, string? Name), Entry>(_entries.Count);
        _nextHosts.Clear();
        _nextBackends.Clear();
        Reused = 0;
        Read = 0;
    }

    internal IngressContext Context(V1Ingress ingress, GlobalSettings settings, ClusterSnapshot snapshot)
    {
        var key = (ObjectNames.Ns(ingress.Metadata), ingress.Metadata?.Name);
        if (_entries.TryGetValue(key, out var entry) && Same(entry.Ingress, ingress) && LookupsUnchanged(entry, snapshot))
        {
            entry.Context.AttachErrors(null); // a context carries one translation's error policy
            _next[key] = entry;
            Reused++;
            return entry.Context;
        }

        var read = ReadEntry(ingress, settings, snapshot);
        _next[key] = read;
        Read++;
        return read.Context;
    }

    /// <summary>A method of its own: its lambdas capture the snapshot, and C# would make their closure on every call of the reusing path.</summary>
    private static Entry ReadEntry(V1Ingress ingress, GlobalSettings settings, ClusterSnapshot snapshot)
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
        return new Entry(ingress, context, [.. lookups]);
    }

    private static bool LookupsUnchanged(Entry entry, ClusterSnapshot snapshot)
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
        if (_backends.TryGetValue(id, out var built) && built.ByName == byName && Same(built.Service, service) && SameSlices(built.Slices, slices))
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

    private static bool SameSlices(ImmutableArray<V1EndpointSlice> a, ImmutableArray<V1EndpointSlice> b)
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
        (_entries, _next) = (_next, _entries);
        (_hosts, _nextHosts) = (_nextHosts, _hosts);
        (_backends, _nextBackends) = (_nextBackends, _backends);
    }

    /// <summary>The same object: the same instance, or the same uid at the same resourceVersion (the API server's promise).</summary>
    private static bool Same(IKubernetesObject<V1ObjectMeta>? a, IKubernetesObject<V1ObjectMeta>? b) =>
        ReferenceEquals(a, b)
        || (a?.Metadata is { Uid: { Length: > 0 } uid, ResourceVersion: { Length: > 0 } version }
            && b?.Metadata is { } other && other.Uid == uid && other.ResourceVersion == version && a.Kind == b.Kind);

    private sealed record Entry(V1Ingress Ingress, IngressContext Context, Lookup[] Lookups);

    private sealed record BuiltBackend(bool ByName, V1Service? Service, ImmutableArray<V1EndpointSlice> Slices, Backend Backend, DiagnosticCode? Problem);

    private sealed record Lookup(bool Secret, string Ns, string Name, IKubernetesObject<V1ObjectMeta>? Found)
    {
        public IKubernetesObject<V1ObjectMeta>? Find(ClusterSnapshot snapshot) => Secret ? snapshot.FindSecret(Ns, Name) : snapshot.FindConfigMap(Ns, Name);
    }
}
