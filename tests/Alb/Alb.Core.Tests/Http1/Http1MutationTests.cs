using System.Text;
using Alb.Core.Http1;
using Xunit;

namespace Alb.Core.Tests.Http1;

/// <summary>
/// Random mutations of valid heads and chunked bodies (fixed seed): the parser and the decoder never throw, and every
/// offset they report stays inside the input. A smoke test, not the fuzz run issue 15 asks for.
/// </summary>
public sealed class Http1MutationTests
{
    private static readonly byte[][] Heads =
    [
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"u8.ToArray(),
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive, close\r\n\r\n"u8.ToArray(),
        "HTTP/1.0 103 Early\r\nLink: </a>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"u8.ToArray(),
    ];

    private static readonly byte[][] Bodies =
    [
        "5;a=b\r\nhello\r\n1\r\n \r\n0\r\nX-T: 1\r\n\r\n"u8.ToArray(),
        "A\r\n0123456789\r\n0\r\n\r\n"u8.ToArray(),
    ];

    private static byte[] Mutate(Random random, byte[] seed)
    {
        var bytes = new List<byte>(seed);
        var interesting = "\r\n :;0Ff\t\0\u007f"u8.ToArray();
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            var at = random.Next(bytes.Count + 1);
            var value = random.Next(3) == 0 ? (byte)random.Next(256) : interesting[random.Next(interesting.Length)];
            switch (random.Next(3))
            {
                case 0 when at < bytes.Count:
                    bytes[at] = value;
                    break;
                case 1 when at < bytes.Count:
                    bytes.RemoveAt(at);
                    break;
                default:
                    bytes.Insert(at, value);
                    break;
            }
        }

        return [.. bytes];
    }

    [Fact]
    public void The_head_parser_stays_in_bounds_on_mutated_input()
    {
        var random = new Random(15);
        var head = new ResponseHead();
        for (var i = 0; i < 200_000; i++)
        {
            var input = Mutate(random, Heads[i % Heads.Length]);
            if (ResponseHeadParser.TryParse(input, head, new HeadLimits(96, 8)) != HeadError.None)
            {
                continue;
            }

            Assert.InRange(head.Length, 4, input.Length);
            Assert.InRange(head.ReasonStart + head.ReasonLength, 0, head.Length);
            foreach (var field in head.Headers)
            {
                Assert.InRange(field.NameStart + field.NameLength, 1, head.Length);
                Assert.InRange(field.ValueStart + field.ValueLength, field.NameStart + field.NameLength + 1, head.Length);
            }

            Assert.False(head.Chunked && head.ContentLength >= 0, Encoding.Latin1.GetString(input));
        }
    }

    [Fact]
    public void The_chunked_decoder_stays_in_bounds_on_mutated_input()
    {
        var random = new Random(15);
        for (var i = 0; i < 200_000; i++)
        {
            var input = Mutate(random, Bodies[i % Bodies.Length]);
            var decoder = default(ChunkedDecoder);
            var offset = 0;
            var piece = random.Next(1, input.Length + 1);
            while (offset < input.Length)
            {
                var end = Math.Min(input.Length, offset + piece);
                var result = decoder.Decode(input.AsSpan(offset, end - offset), out var consumed, out var start, out var length);
                Assert.InRange(consumed, 0, end - offset);
                Assert.InRange(start + length, 0, consumed);
                if (result is ChunkResult.Done or ChunkResult.Error)
                {
                    break;
                }

                Assert.True(consumed > 0 || end - offset == 0);
                offset += consumed;
            }
        }
    }
}
