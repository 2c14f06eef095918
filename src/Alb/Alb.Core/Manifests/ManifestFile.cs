using System.Collections.Immutable;
using Alb.Core.Diagnostics;
using k8s;
using k8s.Models;

namespace Alb.Core.Manifests;

/// <summary>
/// What one manifest file yielded. <see cref="Failed"/> means the file as a whole is unusable (it did not
/// parse), so the caller keeps that file's last good objects.
/// </summary>
public sealed record ManifestFile(
    string Path,
    ImmutableArray<ManifestObject> Objects,
    ImmutableArray<Diagnostic> Diagnostics,
    bool Failed);

/// <summary>An object and the line of the file it starts on.</summary>
public sealed record ManifestObject(IKubernetesObject<V1ObjectMeta> Object, int Line);
