using EtcdBackup.Core.Naming;

namespace EtcdBackup.Core.Tests.Naming;

public class SnapshotNameTests
{
    private static readonly DateTimeOffset Time = new(2026, 11, 25, 14, 30, 0, 123, TimeSpan.Zero);

    [Fact]
    public void Names_carry_the_utc_time_and_sort_by_it()
    {
        Assert.Equal("etcd-20261125T143000.123Z", SnapshotName.Create("etcd", Time));
        Assert.Equal("etcd-20261125T143000.123Z", SnapshotName.Create("etcd", Time.ToOffset(TimeSpan.FromHours(2))));
        Assert.True(string.CompareOrdinal(SnapshotName.Create("etcd", Time), SnapshotName.Create("etcd", Time.AddMilliseconds(1))) < 0);
    }

    [Theory]
    [InlineData("etcd-20261125T143000.123Z.db", FileKind.Object)]
    [InlineData("etcd-20261125T143000.123Z.db.zst.enc", FileKind.Object)]
    [InlineData("etcd-20261125T143000.123Z.json", FileKind.Manifest)]
    [InlineData("etcd-20261125T143000.123Z.db.zst.part", FileKind.Part)]
    [InlineData("etcd-20261125T143000.123Z.json.part", FileKind.Part)]
    public void Classifies_our_files(string file, FileKind kind)
    {
        var (k, snapshot, time) = SnapshotName.Classify(file, "etcd");

        Assert.Equal(kind, k);
        Assert.Equal("etcd-20261125T143000.123Z", snapshot);
        Assert.Equal(Time, time);
    }

    [Theory]
    [InlineData("notes.txt")]
    [InlineData(".etcd-backup.lock")]
    [InlineData("etcd-20261125T143000.123Z")]          // no .db: not an object of ours
    [InlineData("etcd-2026-11-25.db")]                  // someone else's naming
    [InlineData("other-20261125T143000.123Z.db")]       // another prefix
    [InlineData("etcd-20261325T143000.123Z.db")]        // month 13
    public void Leaves_foreign_files_alone(string file) =>
        Assert.Equal(FileKind.Foreign, SnapshotName.Classify(file, "etcd").Kind);

    [Theory]
    [InlineData("etcd", true)]
    [InlineData("prod_cluster-1", true)]
    [InlineData("", false)]
    [InlineData("a/b", false)]
    [InlineData("..", false)]
    public void Validates_prefixes(string prefix, bool valid) => Assert.Equal(valid, SnapshotName.IsValidPrefix(prefix));

    [Fact]
    public void Object_names_say_how_they_are_encoded()
    {
        Assert.Equal("n.db", SnapshotName.ObjectFile("n", Compressions.None, Encryptions.None));
        Assert.Equal("n.db.zst.enc", SnapshotName.ObjectFile("n", Compressions.Zstd, Encryptions.AesGcm));
    }
}
