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
        _next[key] = new Entry(ingress, context, [.. lookups]);
        Read++;
        return context;
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

    /// <summary>Keeps only the Ingresses of this translation: deleted ones are forgotten.</summary>
    internal void End() => (_entries, _next) = (_next, _entries);

    /// <summary>The same object: the same instance, or the same uid at the same resourceVersion (the API server's promise).</summary>
    private static bool Same(IKubernetesObject<V1ObjectMeta>? a, IKubernetesObject<V1ObjectMeta>? b) =>
        ReferenceEquals(a, b)
        || (a?.Metadata is { Uid: { Length: > 0 } uid, ResourceVersion: { Length: > 0 } version }
            && b?.Metadata is { } other && other.Uid == uid && other.ResourceVersion == version && a.Kind == b.Kind);

    private sealed record Entry(V1Ingress Ingress, IngressContext Context, Lookup[] Lookups);

    private sealed record Lookup(bool Secret, string Ns, string Name, IKubernetesObject<V1ObjectMeta>? Found)
    {
        public IKubernetesObject<V1ObjectMeta>? Find(ClusterSnapshot snapshot) => Secret ? snapshot.FindSecret(Ns, Name) : snapshot.FindConfigMap(Ns, Name);
    }
}
