using System.Text;
using Alb.Core.Http1;
using Xunit;

namespace Alb.Core.Tests.Http1;

public sealed class ChunkedDecoderTests
{
    /// <summary>Feeds <paramref name="wire"/> in pieces of <paramref name="piece"/> bytes; the body, how it ended, and the bytes used.</summary>
    private static (string Body, ChunkResult Result, ChunkError Error, int Used) Decode(string wire, int piece = int.MaxValue)
    {
        var bytes = Encoding.Latin1.GetBytes(wire);
        var decoder = default(ChunkedDecoder);
        var body = new StringBuilder();
        var used = 0;
        var result = ChunkResult.NeedMore;
        for (var at = 0; at < bytes.Length;)
        {
            var end = (int)Math.Min(bytes.Length, (long)at + piece);
            var offset = at;
            while (offset < end)
            {
                result = decoder.Decode(bytes.AsSpan(offset, end - offset), out var consumed, out var dataStart, out var dataLength);
                if (result == ChunkResult.Data)
                {
                    body.Append(Encoding.Latin1.GetString(bytes, offset + dataStart, dataLength));
                }

                offset += consumed;
                used = offset;
                if (result is ChunkResult.Done or ChunkResult.Error)
                {
                    return (body.ToString(), result, decoder.Error, used);
                }
            }

            at = end;
        }

        return (body.ToString(), result, decoder.Error, used);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    public void Decodes_chunks_split_anywhere(int piece)
    {
        var (body, result, _, used) = Decode("5\r\nhello\r\n1;a=b\r\n \r\nA\r\n0123456789\r\n0\r\n\r\nNEXT", piece);
        Assert.Equal(ChunkResult.Done, result);
        Assert.Equal("hello 0123456789", body);
        Assert.Equal("5\r\nhello\r\n1;a=b\r\n \r\nA\r\n0123456789\r\n0\r\n\r\n".Length, used);
    }

    [Theory]
    [InlineData("3;name\r\nabc\r\n0\r\n\r\n")]
    [InlineData("3;name=value;other=\"quoted; value\"\r\nabc\r\n0\r\n\r\n")]
    [InlineData("3 ;name=value\r\nabc\r\n0\r\n\r\n")]
    [InlineData("3\t\r\nabc\r\n0\r\n\r\n")]
    [InlineData("0003\r\nabc\r\n0000\r\n\r\n")]
    [InlineData("3\r\nabc\r\n0;last=1\r\n\r\n")]
    public void Accepts_extensions_whitespace_and_leading_zeros(string wire)
    {
        var (body, result, _, _) = Decode(wire);
        Assert.Equal(ChunkResult.Done, result);
        Assert.Equal("abc", body);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(1)]
    public void Consumes_and_drops_trailers(int piece)
    {
        var wire = "3\r\nabc\r\n0\r\nX-Checksum: 123\r\nX-Empty:\r\n\r\n";
        var (body, result, _, used) = Decode(wire, piece);
        Assert.Equal(ChunkResult.Done, result);
        Assert.Equal("abc", body);
        Assert.Equal(wire.Length, used);
    }

    [Fact]
    public void Asks_for_more_until_the_last_chunk_and_trailers_end()
    {
        Assert.Equal(ChunkResult.NeedMore, Decode("3\r\nabc\r\n0\r\n").Result);
        Assert.Equal(ChunkResult.NeedMore, Decode("3\r\nabc\r\n0\r\nX-A: 1\r\n").Result);
        var partial = Decode("3\r\nab");
        Assert.Equal((ChunkResult.Data, "ab"), (partial.Result, partial.Body)); // what is there is given out; the rest follows
        Assert.Equal(ChunkResult.NeedMore, Decode("").Result);
    }

    [Fact]
    public void Accepts_the_largest_size_of_fifteen_hex_digits_and_returns_data_as_it_comes()
    {
        var decoder = default(ChunkedDecoder);
        var wire = Encoding.ASCII.GetBytes("FFFFFFFFFFFFFFF\r\nabcd");
        Assert.Equal(ChunkResult.Data, decoder.Decode(wire, out var consumed, out var start, out var length));
        Assert.Equal(wire.Length, consumed);
        Assert.Equal(4, length);
        Assert.Equal(wire.Length - 4, start);
    }

    [Theory]
    [InlineData("x\r\nabc\r\n0\r\n\r\n", ChunkError.BadSize)]
    [InlineData("\r\nabc\r\n0\r\n\r\n", ChunkError.BadSize)]
    [InlineData(";ext\r\n", ChunkError.BadSize)]
    [InlineData("-3\r\nabc\r\n0\r\n\r\n", ChunkError.BadSize)]
    [InlineData("+3\r\nabc\r\n0\r\n\r\n", ChunkError.BadSize)]
    [InlineData("0x3\r\nabc\r\n0\r\n\r\n", ChunkError.BadSize)]
    [InlineData("3 3\r\nabc\r\n0\r\n\r\n", ChunkError.BadSize)]
    [InlineData("1000000000000000\r\n", ChunkError.SizeOverflow)]
    [InlineData("FFFFFFFFFFFFFFFFF\r\n", ChunkError.SizeOverflow)]
    [InlineData("3\nabc\r\n0\r\n\r\n", ChunkError.BadLineEnd)]
    [InlineData("3\rabc\r\n0\r\n\r\n", ChunkError.BadLineEnd)]
    [InlineData("3\r\nabcX\r\n0\r\n\r\n", ChunkError.BadLineEnd)]
    [InlineData("3\r\nabc\n0\r\n\r\n", ChunkError.BadLineEnd)]
    [InlineData("3\r\nabc\r0\r\n\r\n", ChunkError.BadLineEnd)]
    [InlineData("3\r\nabc\r\n0\r\n\n", ChunkError.BadTrailer)]
    [InlineData("3\r\nabc\r\n0\r\n\rX", ChunkError.BadLineEnd)]
    [InlineData("3;a\nb\r\nabc\r\n0\r\n\r\n", ChunkError.BadExtension)]
    [InlineData("3;a\0\r\nabc\r\n0\r\n\r\n", ChunkError.BadExtension)]
    [InlineData("3\r\nabc\r\n0\r\n X-A: 1\r\n\r\n", ChunkError.BadTrailer)]
    [InlineData("3\r\nabc\r\n0\r\nX A: 1\r\n\r\n", ChunkError.BadTrailer)]
    [InlineData("3\r\nabc\r\n0\r\nX-A: 1\n\r\n", ChunkError.BadTrailer)]
    [InlineData("3\r\nabc\r\n0\r\nX-A: 1\rX\r\n\r\n", ChunkError.BadLineEnd)]
    [InlineData("3\r\nabc\r\n0\r\nX-A: \u0001\r\n\r\n", ChunkError.BadTrailer)]
    [InlineData("3\r\nabc\r\n0\r\nX-A 1\r\n\r\n", ChunkError.BadTrailer)]
    public void Rejects_malformed_framing_with_a_reason(string wire, ChunkError expected)
    {
        foreach (var piece in new[] { int.MaxValue, 1 })
        {
            var (_, result, error, _) = Decode(wire, piece);
            Assert.Equal(ChunkResult.Error, result);
            Assert.Equal(expected, error);
        }
    }

    [Fact]
    public void Rejects_a_size_line_past_its_limit()
    {
        var wire = "3;" + new string('a', ChunkedDecoder.MaxSizeLineBytes) + "\r\nabc\r\n0\r\n\r\n";
        Assert.Equal(ChunkError.LineTooLong, Decode(wire).Error);
        var zeros = new string('0', ChunkedDecoder.MaxSizeLineBytes) + "3\r\nabc\r\n0\r\n\r\n";
        Assert.Equal(ChunkError.LineTooLong, Decode(zeros).Error);
    }

    [Fact]
    public void Accepts_a_size_line_at_its_limit()
    {
        var wire = "3;" + new string('a', ChunkedDecoder.MaxSizeLineBytes - 3) + "\r\nabc\r\n0\r\n\r\n";
        Assert.Equal(ChunkResult.Done, Decode(wire).Result);
    }

    [Fact]
    public void Rejects_trailers_past_their_limit()
    {
        var wire = "0\r\nX-Big: " + new string('a', ChunkedDecoder.MaxTrailerBytes) + "\r\n\r\n";
        Assert.Equal(ChunkError.TrailersTooLarge, Decode(wire, 1000).Error);
    }

    [Fact]
    public void Stays_failed_after_an_error()
    {
        var decoder = default(ChunkedDecoder);
        Assert.Equal(ChunkResult.Error, decoder.Decode("x"u8, out _, out _, out _));
        Assert.Equal(ChunkResult.Error, decoder.Decode("3\r\nabc\r\n"u8, out _, out _, out _));
        Assert.Equal(ChunkError.BadSize, decoder.Error);
    }

    [Fact]
    public void Takes_nothing_after_the_end()
    {
        var decoder = default(ChunkedDecoder);
        Assert.Equal(ChunkResult.Done, decoder.Decode("0\r\n\r\nHTTP/1.1"u8, out var consumed, out _, out _));
        Assert.Equal(5, consumed);
        Assert.True(decoder.IsDone);
    }
}
