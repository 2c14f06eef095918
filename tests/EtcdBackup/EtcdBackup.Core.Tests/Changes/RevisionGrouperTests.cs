using System.Text;
using EtcdBackup.Core.Changes;

namespace EtcdBackup.Core.Tests.Changes;

public sealed class RevisionGrouperTests
{
    private static Change Put(string key, long revision) => Change.Put(Encoding.UTF8.GetBytes(key), "v"u8.ToArray(), revision);

    private static bool All(ReadOnlyMemory<byte> key) => true;

    [Fact]
    public void Keeps_a_revision_split_over_fragments_together()
    {
        var grouper = new RevisionGrouper();
        Assert.Equal([4L], grouper.Add([Put("/a", 4), Put("/b", 5)], fragment: true, All).Select(g => g.Revision));
        Assert.Equal(4, grouper.CompleteRevision);
        var done = grouper.Add([Put("/c", 5)], fragment: false, All);
        Assert.Equal(2, Assert.Single(done).Changes.Count);
        Assert.Equal(5, grouper.CompleteRevision);
    }

    [Fact]
    public void Drops_changes_out_of_scope_but_still_counts_their_revision_as_complete()
    {
        var grouper = new RevisionGrouper();
        var done = grouper.Add([Put("/out", 7), Put("/in", 8)], fragment: false, k => k.Span.StartsWith("/in"u8));
        Assert.Equal(8, Assert.Single(done).Revision);
        Assert.Equal(8, grouper.CompleteRevision);
    }

    [Fact]
    public void A_reset_forgets_the_open_revision_so_it_is_read_again_whole()
    {
        var grouper = new RevisionGrouper();
        grouper.Add([Put("/a", 3), Put("/b", 4)], fragment: true, All);
        grouper.Reset();
        Assert.Equal(3, grouper.CompleteRevision);
        var done = grouper.Add([Put("/b", 4), Put("/c", 4)], fragment: false, All);
        Assert.Equal(2, Assert.Single(done).Changes.Count);
    }

    [Fact]
    public void Rejects_events_that_go_back_in_revision() =>
        Assert.Throws<InvalidOperationException>(() =>
        {
            var grouper = new RevisionGrouper();
            grouper.Add([Put("/a", 9)], fragment: false, All);
            grouper.Add([Put("/b", 8)], fragment: false, All);
        });
}
