using Alb.Core.Annotations;
using Alb.Core.Snapshot;

namespace Alb.Core.Migration;

/// <summary>One annotation key as a set of manifests uses it: how many Ingresses carry it, and what alb does with it.</summary>
public sealed record AnnotationUsage(string Key, int Ingresses, string Support, string Family);

/// <summary>
/// <c>alb validate</c>'s migration report: every <c>nginx.ingress.kubernetes.io/*</c> key the Ingresses of a snapshot
/// carry (whatever their class), with counts and alb's support: supported, planned, not supported, refused by design,
/// or unknown (not an ingress-nginx key: a typo).
/// </summary>
public static class MigrationReport
{
    public static IReadOnlyList<AnnotationUsage> Build(ClusterSnapshot snapshot)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var ingress in snapshot.Ingresses)
        {
            foreach (var key in ingress.Metadata.Annotations?.Keys ?? [])
            {
                if (key.StartsWith(AnnotationCatalog.Prefix, StringComparison.Ordinal))
                {
                    counts[key] = counts.GetValueOrDefault(key) + 1;
                }
            }
        }

        return
        [
            .. counts
                .Select(kv =>
                {
                    var info = AnnotationCatalog.Find(kv.Key[AnnotationCatalog.Prefix.Length..]);
                    return new AnnotationUsage(kv.Key, kv.Value, info is null ? "unknown" : Label(info.Support), info?.Family.ToString() ?? "-");
                })
                .OrderBy(u => Rank(u.Support))
                .ThenByDescending(u => u.Ingresses)
                .ThenBy(u => u.Key, StringComparer.Ordinal),
        ];
    }

    public static string Label(AnnotationSupport support) => support switch
    {
        AnnotationSupport.Supported => "supported",
        AnnotationSupport.Planned => "not supported yet",
        AnnotationSupport.NotSupported => "not supported",
        _ => "refused by design",
    };

    private static int Rank(string support) => support switch
    {
        "refused by design" => 0,
        "unknown" => 1,
        "not supported yet" => 2,
        "not supported" => 3,
        _ => 4,
    };
}
