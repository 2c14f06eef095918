using System.Text;
using EtcdBackup.Core.Changes;
using EtcdBackup.Core.Mirror;

namespace EtcdBackup.Core.Tests.Mirror;

public sealed class TxnBatcherTests
{
    private static Change Put(string key, long revision, int size = 1) => Change.Put(Encoding.UTF8.GetBytes(key), new byte[size], revision);

    private static RevisionGroup Group(long revision, params Change[] changes) => new(revision, changes);

    [Fact]
    public void Packs_several_revisions_into_one_transaction_with_the_last_mark()
    {
        var batcher = new TxnBatcher();
        Assert.Empty(batcher.Add(Group(5, Put("/a", 5), Put("/b", 5))));
        Assert.Empty(batcher.Add(Group(6, Put("/c", 6))));
        var txn = batcher.Flush()!;
        Assert.Equal(3, txn.Ops.Count);
        Assert.Equal(6, txn.Mark);
        Assert.Null(batcher.Flush());
    }

    [Fact]
    public void A_later_change_to_the_same_key_replaces_the_earlier_one()
    {
        var batcher = new TxnBatcher();
        batcher.Add(Group(5, Put("/a", 5)));
        batcher.Add(Group(6, Change.Delete(Encoding.UTF8.GetBytes("/a"), 6)));
        var txn = batcher.Flush()!;
        Assert.Equal(ChangeKind.Delete, Assert.Single(txn.Ops).Kind);
    }

    [Fact]
    public void Never_exceeds_the_operation_limit_and_marks_only_whole_revisions()
    {
        var batcher = new TxnBatcher(maxOps: 4);
        var full = batcher.Add(Group(1, Put("/1a", 1), Put("/1b", 1), Put("/1c", 1))).ToList();
        full.AddRange(batcher.Add(Group(2, Put("/2a", 2), Put("/2b", 2), Put("/2c", 2))));
        full.Add(batcher.Flush()!);
        Assert.All(full, t => Assert.True(t.Ops.Count <= 4));
        Assert.Equal([1L, 2L], full.Select(t => t.Mark));
        Assert.Equal(6, full.Sum(t => t.Ops.Count));
    }

    [Fact]
    public void Splits_a_revision_too_big_for_one_transaction_and_marks_only_its_last_part()
    {
        var batcher = new TxnBatcher(maxOps: 127, maxBytes: 1000);
        var full = batcher.Add(Group(9, [.. Enumerable.Range(0, 10).Select(i => Put($"/k{i}", 9, size: 300))])).ToList();
        full.Add(batcher.Flush()!);
        Assert.True(full.Count > 1);
        Assert.All(full[..^1], t => Assert.Null(t.Mark));
        Assert.Equal(9, full[^1].Mark);
        Assert.All(full, t => Assert.True(t.Ops.Sum(o => o.Bytes) <= 1000));
    }

    [Fact]
    public void A_single_change_bigger_than_the_byte_budget_still_goes_alone()
    {
        var batcher = new TxnBatcher(maxBytes: 100);
        Assert.Empty(batcher.Add(Group(3, Put("/big", 3, size: 500))));
        Assert.Single(batcher.Flush()!.Ops);
    }
}
