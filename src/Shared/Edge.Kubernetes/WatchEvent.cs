namespace Edge.Kubernetes;

/// <summary>One watch event; a bookmark carries only <c>metadata.resourceVersion</c>.</summary>
public readonly record struct WatchEvent<T>(WatchEventKind Type, T Object);

/// <summary>
/// A watch event's <c>type</c> (<c>ERROR</c> is thrown as a <see cref="KubeApiException"/>). Edge's own rather than
/// KubernetesClient's <c>k8s.WatchEventType</c>, which <c>KubernetesClient.Aot</c> (alb's native AOT build) lacks.
/// </summary>
public enum WatchEventKind
{
    /// <summary>An object was created (or is listed at the start of a watch).</summary>
    Added,

    /// <summary>An object changed.</summary>
    Modified,

    /// <summary>An object was deleted; the event carries its last state.</summary>
    Deleted,

    /// <summary>A progress marker: only <c>metadata.resourceVersion</c> is set.</summary>
    Bookmark,
}
