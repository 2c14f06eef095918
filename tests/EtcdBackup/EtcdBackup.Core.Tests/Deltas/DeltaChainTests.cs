using EtcdBackup.Core.Deltas;
using EtcdBackup.Core.Naming;
using EtcdBackup.Core.Retention;
using static EtcdBackup.Core.Tests.Deltas.Chains;

namespace EtcdBackup.Core.Tests.Deltas;

public class DeltaChainTests
{
    [Fact]
    public void A_gapless_chain_reaches_its_last_delta()
    {
        var chain = Assert.Single(DeltaChain.Build([Full("etcd-a", 10, 0)],
            [Delta("d2", "etcd-a", 10, 16, 20, 5, 6), Delta("d1", "etcd-a", 10, 11, 15, 1, 2)]));

        Assert.Null(chain.Gap);
        Assert.Equal(["d1", "d2"], chain.Usable.Select(d => d.Name));
        Assert.Equal(20, chain.Reach);
        Assert.Equal(21, chain.Next);
    }

    [Theory]
    [InlineData(17, "revisions 16..16 are missing")]
    [InlineData(15, "overlapping")]
    public void A_chain_stops_at_a_gap_or_an_overlap_and_says_which(long secondFrom, string gap)
    {
        var chain = Assert.Single(DeltaChain.Build([Full("etcd-a", 10, 0)],
            [Delta("d1", "etcd-a", 10, 11, 15, 1, 2), Delta("d2", "etcd-a", 10, secondFrom, 20, 5, 6)]));

        Assert.Contains(gap, chain.Gap, StringComparison.Ordinal);
        Assert.Equal(15, chain.Reach);
    }

    [Fact]
    public void A_damaged_delta_is_a_gap_and_the_first_delta_must_start_after_the_base()
    {
        var damaged = Assert.Single(DeltaChain.Build([Full("etcd-a", 10, 0)],
            [Delta("d1", "etcd-a", 10, 11, 15, 1, 2, SnapshotState.Damaged), Delta("d2", "etcd-a", 10, 16, 20, 5, 6)]));
        var late = Assert.Single(DeltaChain.Build([Full("etcd-a", 10, 0)], [Delta("d1", "etcd-a", 10, 12, 15, 1, 2)]));

        Assert.Contains("d1 is damaged", damaged.Gap, StringComparison.Ordinal);
        Assert.Empty(damaged.Usable);
        Assert.Equal(10, damaged.Reach);
        Assert.Contains("revisions 11..11 are missing", late.Gap, StringComparison.Ordinal);
    }

    [Fact]
    public void Resumes_only_where_every_target_ends_the_same_chain_at_the_same_revision()
    {
        var full = Full("etcd-a", 10, 0);
        var one = DeltaChain.Build([full], [Delta("d1", "etcd-a", 10, 11, 15, 1, 2)]);
        var other = DeltaChain.Build([full], []);

        Assert.Equal(16, DeltaChain.ResumeFrom([one, one])!.Next);
        Assert.Equal(11, DeltaChain.ResumeFrom([other])!.Next);
        Assert.Null(DeltaChain.ResumeFrom([one, other]));
        Assert.Null(DeltaChain.ResumeFrom([one, []]));
    }

    [Fact]
    public void Delta_names_are_told_apart_from_full_snapshots()
    {
        var name = DeltaName.Create("etcd", T0);

        Assert.Equal("etcd-delta-20261125T140000.000Z", name);
        Assert.Equal((FileKind.Object, name, T0), DeltaName.Classify(DeltaName.ObjectFile(name, Compressions.Zstd, Encryptions.AesGcm), "etcd"));
        Assert.Equal(FileKind.Manifest, DeltaName.Classify(name + ".json", "etcd").Kind);
        Assert.Equal(FileKind.Part, DeltaName.Classify(name + ".delta.part", "etcd").Kind);
        Assert.Equal(FileKind.Foreign, DeltaName.Classify("etcd-20261125T140000.000Z.db", "etcd").Kind);
        Assert.Equal(FileKind.Foreign, SnapshotName.Classify(name + ".json", "etcd").Kind);
        Assert.Equal(FileKind.Foreign, DeltaName.Classify(name + ".delta.gz", "etcd").Kind);
    }
}
