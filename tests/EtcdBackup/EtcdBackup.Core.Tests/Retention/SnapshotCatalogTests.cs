using EtcdBackup.Core.Manifests;
using EtcdBackup.Core.Retention;
using EtcdBackup.Core.Tests.Manifests;

namespace EtcdBackup.Core.Tests.Retention;

public class SnapshotCatalogTests
{
    private const string Name = "etcd-20261125T143000.123Z";

    private static IReadOnlyList<StoredSnapshot> Build(StoredFile[] files, SnapshotManifest? manifest, string error = "") =>
        SnapshotCatalog.Build("etcd", files, new Dictionary<string, (SnapshotManifest?, string)> { [Name + ".json"] = (manifest, error) });

    [Fact]
    public void A_manifest_and_its_object_of_the_recorded_size_are_complete()
    {
        var s = Assert.Single(Build([new(Name + ".db", 1000), new(Name + ".json", 500), new("notes.txt", 3)], SnapshotManifestTests.Sample()));

        Assert.Equal(SnapshotState.Complete, s.State);
        Assert.Equal([Name + ".db", Name + ".json"], s.Files);
    }

    [Fact]
    public void Data_without_a_manifest_is_incomplete()
    {
        var part = Assert.Single(Build([new(Name + ".db.part", 10)], null));
        var noManifest = Assert.Single(Build([new(Name + ".db", 1000)], null));

        Assert.Equal((SnapshotState.Incomplete, "a write was interrupted (.part left)"), (part.State, part.Problem));
        Assert.Equal((SnapshotState.Incomplete, "no manifest (an interrupted run)"), (noManifest.State, noManifest.Problem));
    }

    [Fact]
    public void A_manifest_whose_object_is_missing_short_or_unreadable_is_damaged()
    {
        var missing = Assert.Single(Build([new(Name + ".json", 500)], SnapshotManifestTests.Sample()));
        var shorter = Assert.Single(Build([new(Name + ".db", 999), new(Name + ".json", 500)], SnapshotManifestTests.Sample()));
        var garbage = Assert.Single(Build([new(Name + ".db", 1000), new(Name + ".json", 5)], null, "not a snapshot manifest: x"));

        Assert.Equal((SnapshotState.Damaged, $"object {Name}.db missing"), (missing.State, missing.Problem));
        Assert.Equal((SnapshotState.Damaged, $"object {Name}.db is 999 bytes, the manifest says 1000"), (shorter.State, shorter.Problem));
        Assert.Equal((SnapshotState.Damaged, "manifest unreadable: not a snapshot manifest: x"), (garbage.State, garbage.Problem));
    }
}
