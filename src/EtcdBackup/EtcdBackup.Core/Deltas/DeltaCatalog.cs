using EtcdBackup.Core.Naming;
using EtcdBackup.Core.Retention;

namespace EtcdBackup.Core.Deltas;

/// <summary>One delta as a target's listing shows it (state as for full snapshots: complete, incomplete, damaged).</summary>
public sealed record StoredDelta(string Name, DateTimeOffset Time, SnapshotState State, IReadOnlyList<string> Files, long Size,
    DeltaManifest? Manifest, string Problem);

/// <summary>Groups a target's files into deltas and decides which are whole, like <see cref="SnapshotCatalog"/>.</summary>
public static class DeltaCatalog
{
    public static IReadOnlyList<StoredDelta> Build(string prefix, IEnumerable<StoredFile> files,
        IReadOnlyDictionary<string, (DeltaManifest? Manifest, string Error)> manifests)
    {
        var groups = SnapshotCatalog.Group(files, name => DeltaName.Classify(name, prefix));
        var result = new List<StoredDelta>(groups.Count);
        foreach (var (name, (time, group)) in groups)
        {
            var names = group.Select(f => f.Name).Order(StringComparer.Ordinal).ToList();
            var size = group.Sum(f => f.Size);
            var manifestFile = SnapshotName.ManifestFile(name);
            if (!manifests.TryGetValue(manifestFile, out var read))
            {
                result.Add(new StoredDelta(name, time, SnapshotState.Incomplete, names, size, null, "no manifest (a delta being written, or an interrupted one)"));
                continue;
            }

            var stored = read.Manifest is { } m ? group.FirstOrDefault(f => f.Name == m.Object) : null;
            var (state, problem) = read.Manifest switch
            {
                null => (SnapshotState.Damaged, $"manifest unreadable: {read.Error}"),
                { Name: var n } when n != name => (SnapshotState.Damaged, $"manifest names {n}"),
                { Object: var o } when stored is null => (SnapshotState.Damaged, $"object {o} missing"),
                { StoredSize: var s } when s != stored!.Size => (SnapshotState.Damaged, $"object is {stored.Size} bytes, the manifest says {s}"),
                _ => (SnapshotState.Complete, ""),
            };
            result.Add(new StoredDelta(name, time, state, names, size, read.Manifest, problem));
        }

        return result.OrderBy(d => d.Time).ThenBy(d => d.Name, StringComparer.Ordinal).ToList();
    }
}
