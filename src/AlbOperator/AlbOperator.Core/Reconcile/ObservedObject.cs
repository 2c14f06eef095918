using AlbOperator.Core.Desired;
using AlbOperator.Core.Model;
using k8s.Models;

namespace AlbOperator.Core.Reconcile;

/// <summary>
/// An object as the host found it: its key and the metadata the planner reads (list items carry no kind or
/// apiVersion, so the host names them).
/// </summary>
public sealed record ObservedObject(ObjectKey Key, IReadOnlyDictionary<string, string> Labels, string? DesiredHash)
{
    public static ObservedObject From(string apiVersion, string kind, V1ObjectMeta metadata)
    {
        string? hash = null;
        metadata.Annotations?.TryGetValue(AlbApi.DesiredHashAnnotation, out hash);
        return new ObservedObject(
            ObjectKey.Of(apiVersion, kind, metadata.NamespaceProperty, metadata.Name),
            metadata.Labels is { } labels ? new Dictionary<string, string>(labels) : new Dictionary<string, string>(),
            hash);
    }

    /// <summary>Labelled as made by alb-operator for this Alb.</summary>
    public bool BelongsTo(AlbNames names) =>
        Labels.TryGetValue(AlbLabels.ManagedBy, out var manager) && manager == AlbLabels.Manager
        && Labels.TryGetValue(AlbApi.AlbNamespaceLabel, out var ns) && ns == names.Namespace
        && Labels.TryGetValue(AlbApi.AlbNameLabel, out var name) && name == names.Name;

    /// <summary>Who holds it, for a conflict message.</summary>
    public string Holder() =>
        Labels.TryGetValue(AlbLabels.ManagedBy, out var manager) && manager == AlbLabels.Manager
        && Labels.TryGetValue(AlbApi.AlbNamespaceLabel, out var ns) && Labels.TryGetValue(AlbApi.AlbNameLabel, out var name)
            ? $"Alb {ns}/{name}"
            : "something other than alb-operator";
}
