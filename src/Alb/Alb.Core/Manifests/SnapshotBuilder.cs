using System.Collections.Immutable;
using Alb.Core.Diagnostics;
using Alb.Core.Snapshot;
using k8s;
using k8s.Models;

namespace Alb.Core.Manifests;

/// <summary>Merges parsed manifest files (in path order) into one snapshot; a repeated object keeps its first copy.</summary>
public static class SnapshotBuilder
{
    public static (ClusterSnapshot Snapshot, ImmutableArray<Diagnostic> Diagnostics) Build(IEnumerable<ManifestFile> files)
    {
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        var seen = new Dictionary<(string Kind, string Key), string>();
        var ingresses = new List<V1Ingress>();
        var classes = new List<V1IngressClass>();
        var services = new List<V1Service>();
        var slices = new List<V1EndpointSlice>();
        var secrets = new List<V1Secret>();
        var configMaps = new List<V1ConfigMap>();

        foreach (var file in files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            diagnostics.AddRange(file.Diagnostics);
            foreach (var (obj, line) in file.Objects)
            {
                var kind = obj.GetType().Name[2..]; // V1Ingress → Ingress
                var key = ClusterSnapshot.Key(obj.Metadata.NamespaceProperty, obj.Metadata.Name);
                var where = $"{file.Path}:{line}";
                if (!seen.TryAdd((kind, key), where))
                {
                    diagnostics.Add(Codes.DuplicateObject.At(ObjectNames.Of(kind, obj.Metadata.NamespaceProperty, obj.Metadata.Name), null,
                        $"defined again at {where}; the first copy, at {seen[(kind, key)]}, is used"));
                    continue;
                }

                switch (obj)
                {
                    case V1Ingress i: ingresses.Add(i); break;
                    case V1IngressClass c: classes.Add(c); break;
                    case V1Service s: services.Add(s); break;
                    case V1EndpointSlice e: slices.Add(e); break;
                    case V1Secret s: secrets.Add(s); break;
                    case V1ConfigMap m: configMaps.Add(m); break;
                }
            }
        }

        return (new ClusterSnapshot(ingresses, classes, services, slices, secrets, configMaps), diagnostics.ToImmutable());
    }

    public static (ClusterSnapshot Snapshot, ImmutableArray<Diagnostic> Diagnostics) Build(params IKubernetesObject<V1ObjectMeta>[] objects) =>
        Build([new ManifestFile("<objects>", [.. objects.Select(o => new ManifestObject(o, 0))], [], false)]);
}
