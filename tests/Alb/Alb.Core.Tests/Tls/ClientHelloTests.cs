using System.Net.Security;
using Alb.Core.Tls;
using CsCheck;
using Xunit;

namespace Alb.Core.Tests.Tls;

public sealed class ClientHelloTests
{
    /// <summary>The first flight a real .NET TLS client sends for <paramref name="sni"/>.</summary>
    private static async Task<byte[]> RealHelloAsync(string sni, params string[] alpn)
    {
        var capture = new CaptureStream();
        await using var tls = new SslStream(capture);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = sni,
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
                ApplicationProtocols = alpn.Length == 0 ? null : [.. alpn.Select(p => new SslApplicationProtocol(p))],
            });
        }
        catch (IOException)
        {
            // The capture stream answers nothing: the handshake ends after the ClientHello is written.
        }

        return capture.Written.ToArray();
    }

    [Fact]
    public async Task Reads_the_server_name_of_a_real_client_hello()
    {
        var hello = await RealHelloAsync("Pass.Example.com");
        Assert.Equal(ClientHelloResult.Complete, ClientHello.TryReadServerName(hello, out var name));
        Assert.Equal("pass.example.com", name);
    }

    [Theory]
    [InlineData(true, "h2", "http/1.1")]
    [InlineData(true, "http/1.1", "h2")]
    [InlineData(false, "http/1.1")]
    [InlineData(false)]
    [InlineData(false, "h2c", "h3")]
    public async Task Reads_whether_alpn_offers_http2(bool expected, params string[] alpn)
    {
        var hello = await RealHelloAsync("alpn.example.com", alpn);
        Assert.Equal(ClientHelloResult.Complete, ClientHello.TryRead(hello, out var name, out var http2));
        Assert.Equal("alpn.example.com", name); // SNI found whichever extension comes first
        Assert.Equal(expected, http2);
    }

    [Fact]
    public async Task Asks_for_more_until_the_hello_is_whole()
    {
        var hello = await RealHelloAsync("pass.example.com");
        for (var cut = 1; cut < hello.Length; cut += 7)
        {
            Assert.Equal(ClientHelloResult.NeedMore, ClientHello.TryReadServerName(hello.AsSpan(0, cut), out _));
        }
    }

    [Fact]
    public void Refuses_what_is_not_a_client_hello()
    {
        Assert.Equal(ClientHelloResult.NotTls, ClientHello.TryReadServerName("GET / HTTP/1.1\r\n"u8, out _));
        Assert.Equal(ClientHelloResult.NotTls, ClientHello.TryReadServerName(new byte[] { 22, 3, 1, 0, 4, 2, 0, 0, 0 }, out _)); // a ServerHello
        Assert.Equal(ClientHelloResult.NotTls, ClientHello.TryReadServerName(new byte[] { 22, 3, 1, 0x7F, 0xFF }, out _)); // over the bound
    }

    [Fact]
    public async Task Never_throws_on_mutated_hellos()
    {
        var hello = await RealHelloAsync("pass.example.com");
        Gen.Select(Gen.Int[0, hello.Length - 1], Gen.Byte, Gen.Int[1, hello.Length]).Sample((at, value, length) =>
        {
            var copy = (byte[])hello.Clone();
            copy[at] = value;
            var result = ClientHello.TryReadServerName(copy.AsSpan(0, length), out var name);
            Assert.True(name is null || (name.Length <= 253 && !name.Any(char.IsControl)));
            Assert.True(Enum.IsDefined(result));
        }, iter: 20_000);
    }

    private sealed class CaptureStream : Stream
    {
        public MemoryStream Written { get; } = new();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new IOException("no server");

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => throw new IOException("no server");

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Written.Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Written.Write(buffer.Span);
            return ValueTask.CompletedTask;
        }
    }
}
