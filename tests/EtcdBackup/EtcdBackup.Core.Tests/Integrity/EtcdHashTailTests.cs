using System.Security.Cryptography;
using EtcdBackup.Core.Integrity;

namespace EtcdBackup.Core.Tests.Integrity;

public class EtcdHashTailTests
{
    private static byte[] Snapshot(int size, int seed)
    {
        var db = new byte[size];
        new Random(seed).NextBytes(db);
        return [.. db, .. SHA256.HashData(db)];
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(31, 3)]
    [InlineData(32, 4)]
    [InlineData(100_000, 5)]
    public void Accepts_a_stream_whose_tail_is_the_hash_of_the_rest_in_any_chunking(int size, int seed)
    {
        var stream = Snapshot(size, seed);
        var random = new Random(seed);
        using var tail = new EtcdHashTail();
        for (var offset = 0; offset < stream.Length;)
        {
            var n = Math.Min(stream.Length - offset, random.Next(1, 70));
            tail.Append(stream.AsSpan(offset, n));
            offset += n;
        }

        var (ok, expected, actual) = tail.Finish();
        Assert.True(ok, $"{expected} != {actual}");
        Assert.Equal(size, tail.DatabaseBytes);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(stream)), tail.StreamSha256); // the stored object's hash, for free
    }

    [Fact]
    public void Rejects_a_flipped_byte()
    {
        var stream = Snapshot(10_000, 7);
        stream[5_000] ^= 1;
        using var tail = new EtcdHashTail();
        tail.Append(stream);

        Assert.False(tail.Finish().Ok);
    }

    [Fact]
    public void Rejects_a_cut_stream()
    {
        var stream = Snapshot(10_000, 8);
        using var tail = new EtcdHashTail();
        tail.Append(stream.AsSpan(0, stream.Length - 1000));

        Assert.False(tail.Finish().Ok);
    }

    [Fact]
    public void Rejects_a_stream_shorter_than_the_tail()
    {
        using var tail = new EtcdHashTail();
        tail.Append(new byte[10]);

        var (ok, expected, _) = tail.Finish();
        Assert.False(ok);
        Assert.Contains("shorter", expected, StringComparison.Ordinal);
    }
}
