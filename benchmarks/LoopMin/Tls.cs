using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks.Sources;

namespace LoopMin;

/// <summary>
/// TLS on the loop's thread with .NET's own SslStream (OpenSSL underneath), the question being what it costs per
/// request when nothing hops threads: the loop hands SslStream the bytes it read (<see cref="LoopTransport"/>), and
/// SslStream's awaits complete inline, on the loop, as each read is fed. Writes go straight to the socket.
/// </summary>
internal sealed class TlsSession
{
    private readonly Action _onPlain;
    private ValueTask<int> _pendingPlain;
    private bool _handshaken;

    public TlsSession(Client client, SslStreamCertificateContext certificate)
    {
        Client = client;
        Transport = new LoopTransport(client);
        Ssl = new SslStream(Transport, leaveInnerStreamOpen: false);
        _onPlain = OnPlain;
        Handshake = Ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = certificate,
            EnabledSslProtocols = SslProtocols.Tls13,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
            ClientCertificateRequired = false,
        }, CancellationToken.None);
    }

    public Client Client { get; }

    public LoopTransport Transport { get; }

    public SslStream Ssl { get; }

    public Task Handshake { get; }

    /// <summary>Set by the loop: what to do with the plaintext in Client.In (start a request); false: the client is gone.</summary>
    public Func<Client, bool>? Plaintext { get; set; }

    public bool Reading { get; private set; }

    public static SslStreamCertificateContext Load(string certPem, string keyPem) =>
        SslStreamCertificateContext.Create(X509Certificate2.CreateFromPemFile(certPem, keyPem), additionalCertificates: null, offline: true);

    /// <summary>Ciphertext arrived: hand it to whoever waits (the handshake or a read), then read plaintext until none is left.</summary>
    public bool Feed(ReadOnlySpan<byte> cipher)
    {
        Transport.Feed(cipher);
        if (Handshake.IsFaulted)
        {
            return false;
        }

        if (!Handshake.IsCompleted)
        {
            return true;
        }

        _handshaken = true;
        return Reading || Pump();
    }

    /// <summary>Reads plaintext into Client.In while SslStream has it without waiting; registers for the rest.</summary>
    private bool Pump()
    {
        while (_handshaken)
        {
            var client = Client;
            if (client.InLength == client.In.Length)
            {
                return true; // a request is in flight and the buffer is full: read once it is done
            }

#pragma warning disable CA2012 // kept to be consumed exactly once, by Result(), when complete: the loop cannot await
            _pendingPlain = Ssl.ReadAsync(client.In.AsMemory(client.InLength));
#pragma warning restore CA2012
            if (!_pendingPlain.IsCompleted)
            {
                Reading = true;
                _pendingPlain.GetAwaiter().UnsafeOnCompleted(_onPlain);
                return true;
            }

            if (!Take(Result()))
            {
                return false;
            }
        }

        return true;
    }

    private void OnPlain()
    {
        Reading = false;
        if (Take(Result()))
        {
            Pump();
        }
    }

    /// <summary>The completed read's bytes; 0 when it failed (the client is closed).</summary>
    private int Result()
    {
        try
        {
            return _pendingPlain.GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
        {
            return 0;
        }
    }

    private bool Take(int n)
    {
        if (n <= 0)
        {
            return Plaintext!(null!); // closed (or broken): the loop closes the client
        }

        Client.InLength += n;
        return Plaintext!(Client);
    }

    /// <summary>Encrypts and sends (what the socket does not take waits in Client.Pending); false when some waits.</summary>
    public bool Write(ReadOnlySpan<byte> plain)
    {
        Ssl.Write(plain);
        return Client.PendingLength == 0;
    }
}

/// <summary>The stream under SslStream: reads come from what the loop fed, writes go to the socket at once.</summary>
internal sealed unsafe class LoopTransport(Client client) : Stream, IValueTaskSource<int>
{
    private readonly byte[] _cipher = new byte[64 * 1024];
    private int _start;
    private int _length;
    private Memory<byte> _waiting;
    private ManualResetValueTaskSourceCore<int> _read = new() { RunContinuationsAsynchronously = false };
    private bool _pending;

    public void Feed(ReadOnlySpan<byte> data)
    {
        if (_start + _length + data.Length > _cipher.Length)
        {
            _cipher.AsSpan(_start, _length).CopyTo(_cipher);
            _start = 0;
        }

        data.CopyTo(_cipher.AsSpan(_start + _length));
        _length += data.Length;
        if (_pending)
        {
            _pending = false;
            var n = Copy(_waiting.Span);
            _waiting = default;
            _read.SetResult(n); // SslStream's await continues here, on the loop's thread
        }
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_length > 0)
        {
            return new ValueTask<int>(Copy(buffer.Span));
        }

        _read.Reset();
        _waiting = buffer;
        _pending = true;
        return new ValueTask<int>(this, _read.Version);
    }

    private int Copy(Span<byte> into)
    {
        var n = Math.Min(into.Length, _length);
        _cipher.AsSpan(_start, n).CopyTo(into);
        _start += n;
        _length -= n;
        if (_length == 0)
        {
            _start = 0;
        }

        return n;
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var sent = 0;
        if (client.PendingLength == 0)
        {
            fixed (byte* bytes = buffer)
            {
                sent = (int)Math.Max(Native.send(client.Fd, bytes, buffer.Length, Native.MsgNoSignal), 0);
            }
        }

        if (sent < buffer.Length)
        {
            buffer[sent..].CopyTo(client.Pending.AsSpan(client.PendingLength));
            client.PendingLength += buffer.Length - sent;
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("the loop only reads asynchronously");

    public int GetResult(short token) => _read.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _read.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _read.OnCompleted(continuation, state, token, flags);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
