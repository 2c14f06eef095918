using EtcdBackup.Core.Manifests;
using EtcdBackup.Core.Naming;

namespace EtcdBackup.Core.Retention;

/// <summary>A file or object in a target, by its name relative to the target's directory or key prefix.</summary>
public sealed record StoredFile(string Name, long Size);

/// <summary>
/// Groups a target's files into snapshots and decides which are whole. Manifests are read by the host and passed in
/// (a manifest that could not be parsed is passed with its reason); files that are not ours are left out.
/// </summary>
public static class SnapshotCatalog
{
    public static IReadOnlyList<StoredSnapshot> Build(string prefix, IEnumerable<StoredFile> files,
        IReadOnlyDictionary<string, (SnapshotManifest? Manifest, string Error)> manifests)
    {
        var groups = Group(files, name => SnapshotName.Classify(name, prefix));
        var result = new List<StoredSnapshot>(groups.Count);
        foreach (var (name, (time, group)) in groups)
        {
            var names = group.Select(f => f.Name).Order(StringComparer.Ordinal).ToList();
            var size = group.Sum(f => f.Size);
            var manifestFile = SnapshotName.ManifestFile(name);
            if (!group.Any(f => f.Name == manifestFile))
            {
                var why = group.Any(f => f.Name.EndsWith(SnapshotName.PartSuffix, StringComparison.Ordinal))
                    ? "a write was interrupted (.part left)"
                    : "no manifest (an interrupted run)";
                result.Add(new StoredSnapshot(name, time, SnapshotState.Incomplete, names, size, null, why));
                continue;
            }

            if (!manifests.TryGetValue(manifestFile, out var read) || read.Manifest is not { } manifest)
            {
                result.Add(new StoredSnapshot(name, time, SnapshotState.Damaged, names, size, null,
                    $"manifest unreadable: {(read.Error is { Length: > 0 } e ? e : "not read")}"));
                continue;
            }

            var stored = group.FirstOrDefault(f => f.Name == manifest.Object);
            var (state, problem) = stored switch
            {
                _ when manifest.Name != name => (SnapshotState.Damaged, $"manifest names {manifest.Name}"),
                null => (SnapshotState.Damaged, $"object {manifest.Object} missing"),
                { Size: var s } when s != manifest.StoredSize =>
                    (SnapshotState.Damaged, $"object {manifest.Object} is {s} bytes, the manifest says {manifest.StoredSize}"),
                _ => (SnapshotState.Complete, ""),
            };
            result.Add(new StoredSnapshot(name, time, state, names, size, manifest, problem));
        }

        return result.OrderByDescending(s => s.Time).ThenByDescending(s => s.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>A target's files by the snapshot (or delta) they belong to, as <paramref name="classify"/> says; foreign files left out.</summary>
    internal static Dictionary<string, (DateTimeOffset Time, List<StoredFile> Files)> Group(IEnumerable<StoredFile> files,
        Func<string, (FileKind Kind, string Owner, DateTimeOffset Time)> classify)
    {
        var groups = new Dictionary<string, (DateTimeOffset Time, List<StoredFile> Files)>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var (kind, owner, time) = classify(file.Name);
            if (kind == FileKind.Foreign)
            {
                continue;
            }

            if (!groups.TryGetValue(owner, out var group))
            {
                groups[owner] = group = (time, []);
            }

            group.Files.Add(file);
        }

        return groups;
    }
}
