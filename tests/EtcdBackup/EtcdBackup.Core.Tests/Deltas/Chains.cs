using System.Text;
using EtcdBackup.Core.Changes;
using EtcdBackup.Core.Deltas;
using EtcdBackup.Core.Manifests;
using EtcdBackup.Core.Retention;

namespace EtcdBackup.Core.Tests.Deltas;

/// <summary>Builders of full snapshots, deltas and chains for the delta tests. Times are seconds after <see cref="T0"/>.</summary>
internal static class Chains
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 25, 14, 0, 0, TimeSpan.Zero);

    public static StoredSnapshot Full(string name, long revision, int atSecond, long? revisionAfter = null) =>
        new(name, T0.AddSeconds(atSecond), SnapshotState.Complete, [], 100,
            new SnapshotManifest(1, name, name + ".db", T0.AddSeconds(atSecond), "c", "m", "n", "e", revision, revisionAfter ?? revision, 1,
                "3.4", 100, new string('a', 64), 100, new string('b', 64), "none", "none", null, TimeSpan.FromSeconds(1)), "");

    public static StoredDelta Delta(string name, string @base, long baseRevision, long from, long to, int firstSecond, int lastSecond,
        SnapshotState state = SnapshotState.Complete) =>
        new(name, T0.AddSeconds(lastSecond), state, [name + ".delta", name + ".json"], 10,
            new DeltaManifest(1, "delta", name, name + ".delta", @base, baseRevision, from, to, (int)(to - from + 1), to - from + 1,
                T0.AddSeconds(firstSecond), T0.AddSeconds(lastSecond), T0.AddSeconds(lastSecond), 10, new string('c', 64), "none", "none", null),
            state == SnapshotState.Complete ? "" : "object missing");

    public static DeltaRevision Revision(long revision, int atSecond, params string[] puts) =>
        new(revision, T0.AddSeconds(atSecond), puts.Select(k => Change.Put(Encoding.UTF8.GetBytes(k), "v"u8.ToArray(), revision)).ToList());
}
