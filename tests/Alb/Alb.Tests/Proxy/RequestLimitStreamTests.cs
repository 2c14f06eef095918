using System.Text;
using Alb.Proxy;
using Xunit;

namespace Alb.Tests.Proxy;

/// <summary>upstream-keepalive-requests on the bytes of one connection: the Nth request, and only it, carries Connection: close.</summary>
public sealed class RequestLimitStreamTests
{
    private static readonly byte[] Answer = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"u8.ToArray();

    /// <summary>A connection whose reads always return one answer and whose writes are recorded per request.</summary>
    private sealed class Wire : Stream
    {
        public MemoryStream Written { get; } = new();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => 0;

        public override long Position { get; set; }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Answer.CopyTo(buffer, offset);
            return Answer.Length;
        }

        public override long Seek(long offset, SeekOrigin origin) => 0;

        public override void SetLength(long value)
        {
        }

        public override void Write(byte[] buffer, int offset, int count) => Written.Write(buffer, offset, count);
    }

    /// <summary>One request: the writes, then a read of the answer; returns the bytes that reached the wire.</summary>
    private static async Task<string> RequestAsync(Wire wire, Stream stream, params string[] writes)
    {
        wire.Written.SetLength(0);
        foreach (var write in writes)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(write));
        }

        Assert.Equal(Answer.Length, await stream.ReadAsync(new byte[256]));
        return Encoding.ASCII.GetString(wire.Written.ToArray());
    }

    [Fact]
    public async Task Adds_connection_close_to_the_last_allowed_request_only()
    {
        var wire = new Wire();
        var stream = new RequestLimitStream(wire, 3);
        const string head = "GET /a HTTP/1.1\r\nHost: b\r\n\r\n";
        Assert.Equal(head, await RequestAsync(wire, stream, head));
        Assert.Equal("POST /a HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi", await RequestAsync(wire, stream, "POST /a HTTP/1.1\r\nContent-Length: 2\r\n\r\n", "", "hi"));
        Assert.Equal("GET /a HTTP/1.1\r\nConnection: close\r\nHost: b\r\n\r\n", await RequestAsync(wire, stream, head));
        Assert.Equal(3, stream.Requests);
    }

    [Fact]
    public async Task Finds_the_end_of_a_request_line_split_over_writes_and_leaves_the_body_alone()
    {
        var wire = new Wire();
        var stream = new RequestLimitStream(wire, 1);
        var sent = await RequestAsync(wire, stream, "POST /" + new string('p', 50), "x HTTP/1.1\r\nContent-Length: 16\r\n\r\n", "GET / HTTP/1.1\r\n");
        Assert.Equal("POST /" + new string('p', 50) + "x HTTP/1.1\r\nConnection: close\r\nContent-Length: 16\r\n\r\nGET / HTTP/1.1\r\n", sent);
    }

    [Fact]
    public async Task Never_touches_a_write_that_does_not_begin_like_a_request_line()
    {
        var wire = new Wire();
        var stream = new RequestLimitStream(wire, 2);
        await RequestAsync(wire, stream, "PUT /u HTTP/1.1\r\nContent-Length: 20\r\n\r\n");
        // a body chunk after an early answer: counted as a start, but it is not a request line, so it stays as sent
        Assert.Equal("some body bytes\r\nxyz", await RequestAsync(wire, stream, "some body bytes\r\nxyz"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Zero_or_one_closes_after_every_request(int limit)
    {
        var wire = new Wire();
        var stream = new RequestLimitStream(wire, limit);
        Assert.Contains("Connection: close", await RequestAsync(wire, stream, "GET / HTTP/1.1\r\n\r\n"), StringComparison.Ordinal);
    }
}
