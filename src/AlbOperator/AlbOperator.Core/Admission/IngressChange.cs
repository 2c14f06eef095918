using Alb.Core.Annotations;
using Alb.Core.Translation;
using k8s;
using k8s.Models;

namespace AlbOperator.Core.Admission;

/// <summary>
/// Whether an UPDATE changes what alb reads: the spec, the class, or an annotation under alb's prefixes. An update that
/// changes none of them (labels, finalizers, another tool's annotations) is never refused, even for an Ingress alb
/// does not serve: refusing it would only block the controllers that write metadata (and a deletion that waits for a
/// finalizer to be removed), while alb's answer stays the same.
/// </summary>
internal static class IngressChange
{
    public static bool Relevant(V1Ingress previous, V1Ingress current) =>
        !string.Equals(SpecText(previous), SpecText(current), StringComparison.Ordinal) ||
        !ReadAnnotations(previous).SequenceEqual(ReadAnnotations(current));

    private static string SpecText(V1Ingress ingress) => ingress.Spec is null ? "" : KubernetesJson.Serialize(ingress.Spec);

    private static IEnumerable<KeyValuePair<string, string>> ReadAnnotations(V1Ingress ingress) =>
        (ingress.Metadata?.Annotations ?? new Dictionary<string, string>())
            .Where(a => a.Key.StartsWith(AnnotationCatalog.Prefix, StringComparison.Ordinal) ||
                        a.Key.StartsWith(AlbAnnotations.Prefix, StringComparison.Ordinal) ||
                        a.Key == IngressClassFilter.LegacyClassAnnotation)
            .OrderBy(a => a.Key, StringComparer.Ordinal);
}
