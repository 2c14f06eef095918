using EtcdBackup.Core.Manifests;

namespace EtcdBackup.Core.Retention;

/// <summary>One snapshot as a target's listing shows it: its files, and whether it is whole.</summary>
/// <param name="Files">Every file or object of this snapshot in the target (object, manifest, leftovers).</param>
/// <param name="Problem">Why it is not <see cref="SnapshotState.Complete"/>; empty when it is.</param>
public sealed record StoredSnapshot(
    string Name,
    DateTimeOffset Time,
    SnapshotState State,
    IReadOnlyList<string> Files,
    long Size,
    SnapshotManifest? Manifest,
    string Problem);

public enum SnapshotState
{
    /// <summary>Manifest present and the object it names has the size it records: a good snapshot.</summary>
    Complete,

    /// <summary>Data without a manifest (an interrupted write or upload): never a good snapshot.</summary>
    Incomplete,

    /// <summary>A manifest whose object is missing or has another size.</summary>
    Damaged,
}

/// <summary>A target's listing, or why it could not be listed (then nothing in it may be deleted).</summary>
public sealed record TargetListing(string Target, IReadOnlyList<StoredSnapshot> Snapshots, string? Failure)
{
    public static TargetListing Failed(string target, string failure) => new(target, [], failure);
}
