using System.Collections.Frozen;
using System.Collections.Immutable;
using k8s.Models;

namespace Alb.Core.Snapshot;

/// <summary>
/// Everything translation may look at, taken at one moment from one source (a manifest directory or a
/// cluster). Immutable; lookups are by <c>namespace/name</c>.
/// </summary>
public sealed class ClusterSnapshot
{
    private readonly FrozenDictionary<string, V1Service> _services;
    private readonly FrozenDictionary<string, V1Secret> _secrets;
    private readonly FrozenDictionary<string, V1ConfigMap> _configMaps;
    private readonly FrozenDictionary<string, ImmutableArray<V1EndpointSlice>> _slicesByService;

    public ClusterSnapshot(
        IEnumerable<V1Ingress> ingresses,
        IEnumerable<V1IngressClass> ingressClasses,
        IEnumerable<V1Service> services,
        IEnumerable<V1EndpointSlice> endpointSlices,
        IEnumerable<V1Secret> secrets,
        IEnumerable<V1ConfigMap> configMaps)
    {
        Ingresses = [.. ingresses];
        IngressClasses = [.. ingressClasses];
        Services = [.. services];
        EndpointSlices = [.. endpointSlices];
        Secrets = [.. secrets];
        ConfigMaps = [.. configMaps];

        _services = ByKey(Services);
        _secrets = ByKey(Secrets);
        _configMaps = ByKey(ConfigMaps);
        _slicesByService = EndpointSlices
            .Where(s => s.Metadata?.Labels is not null && s.Metadata.Labels.ContainsKey(ServiceNameLabel))
            .GroupBy(s => Key(s.Metadata.NamespaceProperty, s.Metadata.Labels[ServiceNameLabel]), StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.ToImmutableArray(), StringComparer.Ordinal);
    }

    public const string ServiceNameLabel = "kubernetes.io/service-name";

    public static ClusterSnapshot Empty { get; } = new([], [], [], [], [], []);

    public ImmutableArray<V1Ingress> Ingresses { get; }

    public ImmutableArray<V1IngressClass> IngressClasses { get; }

    public ImmutableArray<V1Service> Services { get; }

    public ImmutableArray<V1EndpointSlice> EndpointSlices { get; }

    public ImmutableArray<V1Secret> Secrets { get; }

    public ImmutableArray<V1ConfigMap> ConfigMaps { get; }

    public static string Key(string? ns, string name) => $"{ns ?? "default"}/{name}";

    public V1Service? FindService(string ns, string name) => Find(_services, ns, name);

    public V1Secret? FindSecret(string ns, string name) => Find(_secrets, ns, name);

    public V1ConfigMap? FindConfigMap(string ns, string name) => Find(_configMaps, ns, name);

    public ImmutableArray<V1EndpointSlice> FindEndpointSlices(string ns, string serviceName) =>
        Find(_slicesByService, ns, serviceName) is { IsDefault: false } slices ? slices : [];

    /// <summary>
    /// The lookup by <see cref="Key"/>, spelt on the stack: translation looks up every Service, EndpointSlice, Secret
    /// and ConfigMap an Ingress names on every change, and a key string each was most of a change's garbage.
    /// </summary>
    private static T? Find<T>(FrozenDictionary<string, T> map, string? ns, string name)
    {
        ns ??= "default";
        var length = ns.Length + 1 + name.Length;
        if (length > 512)
        {
            return map.GetValueOrDefault(Key(ns, name)); // longer than any valid name: not worth the stack
        }

        Span<char> key = stackalloc char[length];
        ns.CopyTo(key);
        key[ns.Length] = '/';
        name.CopyTo(key[(ns.Length + 1)..]);
        return map.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(key, out var found) ? found : default;
    }

    private static FrozenDictionary<string, T> ByKey<T>(ImmutableArray<T> items)
        where T : IMetadata<V1ObjectMeta>
    {
        var map = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            map.TryAdd(Key(item.Metadata.NamespaceProperty, item.Metadata.Name), item);
        }

        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
