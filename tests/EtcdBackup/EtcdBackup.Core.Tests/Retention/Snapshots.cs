using EtcdBackup.Core.Retention;

namespace EtcdBackup.Core.Tests.Retention;

/// <summary>Builders for listings in planner tests.</summary>
internal static class Snapshots
{
    public static StoredSnapshot Complete(DateTimeOffset time) => Make(time, SnapshotState.Complete);

    public static StoredSnapshot Make(DateTimeOffset time, SnapshotState state) =>
        new($"etcd-{time.UtcDateTime:yyyyMMdd'T'HHmmss'.'fff'Z'}", time, state, [], 100, null,
            state == SnapshotState.Complete ? "" : "no manifest");

    public static TargetListing Listing(params StoredSnapshot[] snapshots) => new("local:/backups", snapshots, null);

    public static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);
}
