using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Alb.Fast;
using Xunit;

namespace Alb.Tests.Serving;

/// <summary>
/// The input Kestrel reads after a hand-over: the loop's bytes first, then the socket's, whatever the reader consumes
/// and examines; a pipelined request in the prefix is returned without waiting for the socket.
/// </summary>
public sealed class PrefixedPipeReaderTests
{
    [Fact]
    public async Task A_reader_that_examines_everything_gets_the_prefix_joined_with_what_the_socket_brings()
    {
        var socket = new Pipe();
        var reader = new PrefixedPipeReader("GET / HT"u8.ToArray(), socket.Reader);
        var first = await reader.ReadAsync();
        Assert.Equal("GET / HT", Text(first.Buffer));
        reader.AdvanceTo(first.Buffer.Start, first.Buffer.End); // nothing consumed, all examined: more is needed

        var pending = reader.ReadAsync();
        Assert.False(pending.IsCompleted); // it waits for the socket
        await socket.Writer.WriteAsync("TP/1.1\r\n\r\nGET /b"u8.ToArray());
        var second = await pending;
        Assert.Equal("GET / HTTP/1.1\r\n\r\nGET /b", Text(second.Buffer));
        reader.AdvanceTo(second.Buffer.GetPosition(18), second.Buffer.End); // the first request consumed

        await socket.Writer.WriteAsync(" HTTP/1.1\r\n"u8.ToArray());
        var third = await reader.ReadAsync();
        Assert.Equal("GET /b HTTP/1.1\r\n", Text(third.Buffer)); // the socket's reader from here on, nothing lost
        reader.AdvanceTo(third.Buffer.End);
        await socket.Writer.CompleteAsync();
        Assert.True((await reader.ReadAsync()).IsCompleted);
    }

    [Fact]
    public async Task A_pipelined_request_left_in_the_prefix_comes_back_without_waiting_for_the_socket()
    {
        var socket = new Pipe();
        var reader = new PrefixedPipeReader("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n"u8.ToArray(), socket.Reader);
        var first = await reader.ReadAsync();
        reader.AdvanceTo(first.Buffer.GetPosition(19), first.Buffer.GetPosition(19)); // one request parsed, the rest not looked at

        var pending = reader.ReadAsync();
        Assert.True(pending.IsCompleted); // no data on the socket, and none needed
        var second = await pending;
        Assert.Equal("GET /2 HTTP/1.1\r\n\r\n", Text(second.Buffer));
        reader.AdvanceTo(second.Buffer.End);

        await socket.Writer.WriteAsync("GET /3"u8.ToArray());
        var third = await reader.ReadAsync();
        Assert.Equal("GET /3", Text(third.Buffer));
    }

    [Fact]
    public async Task Socket_data_already_waiting_is_joined_even_when_the_prefix_was_not_all_examined()
    {
        var socket = new Pipe();
        await socket.Writer.WriteAsync("body"u8.ToArray());
        var reader = new PrefixedPipeReader("POST / HTTP/1.1\r\n\r\n"u8.ToArray(), socket.Reader);
        var read = await reader.ReadAsync();
        Assert.Equal("POST / HTTP/1.1\r\n\r\nbody", Text(read.Buffer));
        reader.AdvanceTo(read.Buffer.GetPosition(21), read.Buffer.GetPosition(21)); // the head and two bytes of the body

        var rest = await reader.ReadAsync();
        Assert.Equal("dy", Text(rest.Buffer));
    }

    private static string Text(ReadOnlySequence<byte> buffer) => Encoding.ASCII.GetString(buffer.ToArray());
}
