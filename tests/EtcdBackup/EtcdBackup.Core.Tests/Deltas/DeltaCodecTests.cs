using EtcdBackup.Core.Changes;
using EtcdBackup.Core.Deltas;
using static EtcdBackup.Core.Tests.Deltas.Chains;

namespace EtcdBackup.Core.Tests.Deltas;

public class DeltaCodecTests
{
    [Fact]
    public void Round_trips_puts_deletes_times_and_empty_values()
    {
        var revisions = new List<DeltaRevision>
        {
            Revision(5, 1, "/a", "/b"),
            new(6, T0.AddMilliseconds(1500), [Change.Delete("/a"u8.ToArray(), 6), Change.Put("/c"u8.ToArray(), ReadOnlyMemory<byte>.Empty, 6)]),
            Revision(300, 2, "/d"),
        };

        Assert.True(DeltaCodec.TryDecode(DeltaCodec.Encode(revisions), out var back, out var error), error);

        Assert.Equal([5L, 6, 300], back.Select(r => r.Revision));
        Assert.Equal(T0.AddMilliseconds(1500), back[1].Time);
        Assert.Equal(ChangeKind.Delete, back[1].Changes[0].Kind);
        Assert.Equal("/c"u8.ToArray(), back[1].Changes[1].Key.ToArray());
        Assert.True(back[1].Changes[1].Value.IsEmpty);
        Assert.Equal(6, back[1].Changes[0].Revision);
    }

    [Theory]
    [InlineData("truncated", "truncated")]
    [InlineData("magic", "no EDLT magic")]
    [InlineData("version", "version 9")]
    [InlineData("trailing", "after the end record")]
    [InlineData("order", "bad revision record")]
    public void Rejects_damaged_input_with_a_reason(string damage, string reason)
    {
        var bytes = DeltaCodec.Encode([Revision(7, 1, "/a"), Revision(8, 1, "/b")]);
        bytes = damage switch
        {
            "truncated" => bytes[..^1],
            "magic" => [(byte)'X', .. bytes[1..]],
            "version" => [.. bytes[..4], 9, .. bytes[5..]],
            "trailing" => [.. bytes, 1],
            _ => DeltaCodec.Encode([Revision(8, 1, "/a"), Revision(7, 1, "/b")]),
        };

        Assert.False(DeltaCodec.TryDecode(bytes, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }
}
