using System.Buffers;
using EtcdBackup.Core.Wire;

namespace EtcdBackup.Core.Tests.Wire;

public class SnapshotMessageTests
{
    private static byte[] Varint(ulong v)
    {
        var bytes = new List<byte>();
        while (v >= 0x80)
        {
            bytes.Add((byte)(v | 0x80));
            v >>= 7;
        }

        bytes.Add((byte)v);
        return [.. bytes];
    }

    private static byte[] Message(byte[] blob, ulong remaining, bool withHeaderAndVersion)
    {
        var header = new byte[] { 0x08, 0x01, 0x18, 0x2A }; // cluster_id = 1, revision = 42
        var version = "3.6.0"u8.ToArray();
        return
        [
            .. withHeaderAndVersion ? [0x0A, .. Varint((ulong)header.Length), .. header] : Array.Empty<byte>(),
            0x10, .. Varint(remaining),
            0x1A, .. Varint((ulong)blob.Length), .. blob,
            .. withHeaderAndVersion ? [0x22, .. Varint((ulong)version.Length), .. version] : Array.Empty<byte>(),
        ];
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(32, true)]
    [InlineData(32768, true)]
    [InlineData(100_000, false)]
    public void Reads_the_blob_and_remaining_bytes_and_skips_other_fields(int size, bool extra)
    {
        var blob = new byte[size];
        new Random(size).NextBytes(blob);
        var message = new SnapshotMessage();

        message.Parse(new ReadOnlySequence<byte>(Message(blob, 123_456_789, extra)));

        Assert.Null(message.Error);
        Assert.Equal(123_456_789UL, message.RemainingBytes);
        Assert.Equal(blob, message.Blob.ToArray());
    }

    [Fact]
    public void Reads_a_payload_split_across_segments()
    {
        var blob = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();
        var bytes = Message(blob, 7, true);
        var first = new Segment(bytes.AsMemory(0, 3));
        var last = first.Append(bytes.AsMemory(3, 2000)).Append(bytes.AsMemory(2003));
        var message = new SnapshotMessage();

        message.Parse(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length));

        Assert.Null(message.Error);
        Assert.Equal(blob, message.Blob.ToArray());
    }

    [Fact]
    public void Rejects_truncated_and_oversized_input_with_a_reason()
    {
        var message = new SnapshotMessage();
        var good = Message(new byte[100], 1, false);

        message.Parse(new ReadOnlySequence<byte>(good[..^10]));
        Assert.Equal("truncated length-delimited field", message.Error);

        message.Parse(new ReadOnlySequence<byte>([0x1A, .. Varint(5 * 1024 * 1024), .. new byte[5 * 1024 * 1024]]));
        Assert.StartsWith("blob of 5242880 bytes is over", message.Error, StringComparison.Ordinal);

        message.Parse(new ReadOnlySequence<byte>([0x1B]));
        Assert.Equal("unsupported wire type 3 for field 3", message.Error);
    }

    [Fact]
    public void Random_and_mutated_input_never_throws()
    {
        var random = new Random(5);
        var message = new SnapshotMessage();
        var good = Message(new byte[64], 9, true);
        for (var i = 0; i < 20_000; i++)
        {
            var input = random.Next(2) == 0 ? good.ToArray() : new byte[random.Next(0, 80)];
            if (input.Length > 0)
            {
                random.NextBytes(input.AsSpan(random.Next(input.Length)));
            }

            message.Parse(new ReadOnlySequence<byte>(input));
            Assert.True(message.Error is not null || message.Blob.Length <= input.Length);
        }
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
